//! What must hold for any bytes that arrive on a board topic. Shared by the fuzz target
//! `board_decode` and the stable replay of its corpus in `tests/e2e/corpus/fuzz_replay.rs`.

use bayline_display::profile::ALL as PROFILES;
use bayline_display::{render, Board, BoardKind, MonoFrame};
use bayline_proto::board::{encode, BoardError, FORMAT_VERSION};

/// Bytes of the largest panel's 1-bit frame (the 800 × 480 lounge e-ink).
const FRAME_BYTES: usize = 800 / 8 * 480;

/// Decodes `bytes` as each board kind, as a display subscribed to that board would. A refusal
/// must name the right reason for the version byte; a model that decodes must encode back to
/// a message that decodes to the same model, and every page of it must render into a frame of
/// every panel of its kind, as the firmware draws it (a retained message that crashed the
/// renderer would crash the display on every boot).
pub fn board_decode(bytes: &[u8]) {
    for kind in [BoardKind::Lounge, BoardKind::Workshop, BoardKind::Tag] {
        let board = match Board::decode(kind, bytes) {
            Ok(board) => board,
            Err(e) => {
                match bytes.first() {
                    None => assert_eq!(e, BoardError::Empty),
                    Some(0) => assert_eq!(e, BoardError::BadVersion(0)),
                    Some(&v) if v > FORMAT_VERSION => assert_eq!(e, BoardError::FutureVersion(v)),
                    Some(_) => assert!(
                        matches!(e, BoardError::Truncated | BoardError::Malformed),
                        "{e:?}"
                    ),
                }
                continue;
            }
        };
        let mut buf = [0u8; 4096];
        let wire = match &board {
            Board::Lounge(m) => encode(m, &mut buf),
            Board::Workshop(m) => encode(m, &mut buf),
            Board::Tag(m) => encode(m, &mut buf),
        }
        .expect("a decoded model encodes");
        assert_eq!(Board::decode(kind, wire).as_ref(), Ok(&board));
        for profile in PROFILES.iter().filter(|p| p.board == kind) {
            for page in 0..board.pages(profile) {
                let mut frame = MonoFrame::<FRAME_BYTES>::new(profile.width, profile.height)
                    .expect("every panel fits the largest frame");
                let Ok(()) = render(&board, profile, page, &mut frame);
            }
        }
    }
}
