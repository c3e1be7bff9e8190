//! Terminal colours: used only when stdout is a terminal and `NO_COLOR` is unset
//! (<https://no-color.org>), so piped output and logs stay plain text.

use std::io::IsTerminal;

/// What a piece of output is, which decides its colour.
#[derive(Clone, Copy)]
pub enum Role {
    Error,
    Warning,
    Location,
    Gutter,
    Ok,
}

#[derive(Clone, Copy)]
pub struct Style {
    colour: bool,
}

impl Style {
    /// Colours on when stdout is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stdout() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { colour: !no_color && std::io::stdout().is_terminal() }
    }

    /// Colours on when stderr is a terminal and `NO_COLOR` is unset or empty.
    pub fn for_stderr() -> Style {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Style { colour: !no_color && std::io::stderr().is_terminal() }
    }

    /// `text` wrapped in the ANSI escape for `role`, or unchanged without colours.
    pub fn paint(self, role: Role, text: &str) -> String {
        if !self.colour {
            return text.to_owned();
        }
        let code = match role {
            Role::Error => "1;31",
            Role::Warning => "1;33",
            Role::Location => "1",
            Role::Gutter => "1;34",
            Role::Ok => "1;32",
        };
        format!("\x1b[{code}m{text}\x1b[0m")
    }
}
