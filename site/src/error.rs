//! Configuration errors that point at the file and line.

use std::fmt;

/// A site file that cannot be used, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    pub file: String,
    /// 1-based; 0 when the problem is the file as a whole.
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file, self.message)
        } else {
            write!(f, "{}:{}: {}", self.file, self.line, self.message)
        }
    }
}

impl ConfigError {
    pub fn at(file: &str, text: &str, offset: Option<usize>, message: impl Into<String>) -> Self {
        let line = offset.map_or(0, |o| text[..o.min(text.len())].matches('\n').count() + 1);
        ConfigError {
            file: file.to_string(),
            line,
            message: message.into(),
        }
    }
}
