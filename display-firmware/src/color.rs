//! Semantic colours: the boards say what a thing means, each panel says how that looks.

use embedded_graphics::pixelcolor::{BinaryColor, Rgb565, Rgb888};
use embedded_graphics::prelude::*;

/// What a pixel means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Background,
    Text,
    /// Labels and secondary text.
    Muted,
    /// A bay with someone clocked on.
    Working,
    /// A bay held by a job with nobody clocked on.
    Blocked,
    Idle,
    /// An ETA past the promised time.
    Late,
    /// Ready for pickup.
    Ready,
    /// Clocked time past the standard time.
    Overrun,
}

/// A panel's colour, chosen per role.
pub trait Ink: PixelColor {
    fn ink(role: Role) -> Self;
}

/// Black/white e-ink: `On` is black ink. Emphasis (late, ready, overrun) is drawn by the
/// widgets as inverse badges, so every role but the background is ink.
impl Ink for BinaryColor {
    fn ink(role: Role) -> Self {
        match role {
            Role::Background => BinaryColor::Off,
            _ => BinaryColor::On,
        }
    }
}

/// RGB LED (HUB75): dark background, bright state colours that read across a hall.
impl Ink for Rgb888 {
    fn ink(role: Role) -> Self {
        match role {
            Role::Background => Rgb888::BLACK,
            Role::Text => Rgb888::new(230, 230, 230),
            Role::Muted => Rgb888::new(110, 110, 120),
            Role::Working => Rgb888::new(0, 210, 70),
            Role::Blocked => Rgb888::new(255, 150, 0),
            Role::Idle => Rgb888::new(70, 110, 200),
            Role::Late | Role::Overrun => Rgb888::new(255, 30, 30),
            Role::Ready => Rgb888::new(0, 210, 70),
        }
    }
}

/// The same LED colours in the 16-bit format a HUB75 frame buffer keeps.
impl Ink for Rgb565 {
    fn ink(role: Role) -> Self {
        Rgb888::ink(role).into()
    }
}
