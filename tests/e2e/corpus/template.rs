//! The placeholders corpus files may use, so that a file can hold a time relative to the test
//! run, a payload of exactly 8 KiB + 1, deep nesting or invalid UTF-8 without being a blob:
//! - `${ts}`, `${ts+6m}`, `${ts-169h}`, `${ts-6d}`: `now` shifted, RFC 3339 at +08:00;
//! - `${repeat N TEXT}`: TEXT N times (in TEXT, `\}` is `}` and `\\` is `\`);
//! - `${hex HH HH …}`: raw bytes;
//! - `${pad N}`: as many `x` as make the whole result N bytes (once per file).

use jiff::{SignedDuration, Timestamp};

/// `src` with its placeholders replaced; an unknown or broken placeholder is an error.
pub fn render(src: &[u8], now: Timestamp) -> Result<Vec<u8>, String> {
    let mut out = Vec::with_capacity(src.len());
    let mut pad: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < src.len() {
        if !src[i..].starts_with(b"${") {
            out.push(src[i]);
            i += 1;
            continue;
        }
        let (body, len) = placeholder(&src[i + 2..])?;
        i += 2 + len;
        let text = String::from_utf8(body).map_err(|_| "a placeholder is not UTF-8")?;
        let (word, arg) = text.split_once(' ').unwrap_or((text.as_str(), ""));
        match word {
            "repeat" => {
                let (n, what) = arg.split_once(' ').ok_or("${repeat N TEXT}")?;
                let n: usize = n.parse().map_err(|_| format!("repeat count {n:?}"))?;
                (0..n).for_each(|_| out.extend_from_slice(what.as_bytes()));
            }
            "hex" => {
                for h in arg.split_whitespace() {
                    out.push(u8::from_str_radix(h, 16).map_err(|_| format!("hex byte {h:?}"))?);
                }
            }
            "pad" => {
                let n = arg.parse().map_err(|_| format!("pad size {arg:?}"))?;
                if pad.replace((out.len(), n)).is_some() {
                    return Err("more than one ${pad}".into());
                }
            }
            _ if word.starts_with("ts") => out.extend_from_slice(ts(word, now)?.as_bytes()),
            _ => return Err(format!("unknown placeholder ${{{text}}}")),
        }
    }
    if let Some((at, n)) = pad {
        let fill = n
            .checked_sub(out.len())
            .ok_or_else(|| format!("${{pad {n}}}: the rest is already {} bytes", out.len()))?;
        out.splice(at..at, std::iter::repeat_n(b'x', fill));
    }
    Ok(out)
}

/// The body of a placeholder (unescaped) and the bytes it took, closing `}` included.
fn placeholder(src: &[u8]) -> Result<(Vec<u8>, usize), String> {
    let mut body = Vec::new();
    let mut i = 0;
    while i < src.len() {
        match src[i] {
            b'\\' if matches!(src.get(i + 1), Some(b'}' | b'\\')) => {
                body.push(src[i + 1]);
                i += 2;
            }
            b'}' => return Ok((body, i + 1)),
            b => {
                body.push(b);
                i += 1;
            }
        }
    }
    Err("a placeholder without its closing }".into())
}

/// `ts`, `ts+6m`, `ts-169h`, `ts-6d`.
fn ts(word: &str, now: Timestamp) -> Result<String, String> {
    let shift = &word[2..];
    let at = if shift.is_empty() {
        now
    } else {
        let bad = || format!("time placeholder ${{{word}}}");
        let (sign, rest) = shift.split_at(1);
        let (n, unit) = rest.split_at(rest.len().saturating_sub(1));
        let n: i64 = n.parse().map_err(|_| bad())?;
        let mins = n * match unit {
            "m" => 1,
            "h" => 60,
            "d" => 24 * 60,
            _ => return Err(bad()),
        };
        let d = SignedDuration::from_mins(mins);
        match sign {
            "+" => now + d,
            "-" => now - d,
            _ => return Err(bad()),
        }
    };
    Ok(at
        .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::offset(8)))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string())
}

#[test]
fn placeholders_render() {
    let now: Timestamp = "2026-11-22T01:00:00Z".parse().unwrap();
    let r = |s: &str| String::from_utf8_lossy(&render(s.as_bytes(), now).unwrap()).into_owned();
    assert_eq!(r("a${ts}b"), "a2026-11-22T09:00:00+08:00b");
    assert_eq!(
        r("${ts+6m}|${ts-1d}"),
        "2026-11-22T09:06:00+08:00|2026-11-21T09:00:00+08:00"
    );
    assert_eq!(r(r"${repeat 3 {\}}"), "{}{}{}");
    assert_eq!(render(b"${hex ff 00}", now).unwrap(), vec![0xff, 0]);
    assert_eq!(r(r#"{"p":"${pad 12}"}"#), r#"{"p":"xxxx"}"#);
    assert!(render(b"${nope}", now).is_err());
    assert!(render(b"${ts", now).is_err());
}
