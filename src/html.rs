//! HTML and XML text: escaping for the XML Quire writes (feeds, sitemap) and the ids an HTML
//! text defines. Pure helpers that the modules writing or reading HTML share.

/// `text` escaped for XML text and attribute values, leaving out the characters XML 1.0
/// does not allow at all (control characters other than tab and line breaks, U+FFFE, U+FFFF).
pub fn escape(out: &mut String, text: &str) {
    // A byte scan: the characters to escape or drop are ASCII, except U+FFFE and U+FFFF
    // (EF BF BE, EF BF BF), so only those bytes need a look.
    // Bytes that need a look; the rest are skipped by a table lookup per byte.
    const SPECIAL: [bool; 256] = {
        let mut t = [false; 256];
        let mut b = 0;
        while b < 0x20 {
            t[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
            b += 1;
        }
        t[b'<' as usize] = true;
        t[b'>' as usize] = true;
        t[b'&' as usize] = true;
        t[b'"' as usize] = true;
        t[b'\'' as usize] = true;
        t[0xef] = true;
        t
    };
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !SPECIAL[usize::from(b)] {
            i += 1;
            continue;
        }
        let (replacement, len): (&str, usize) = match b {
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'&' => ("&amp;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&apos;", 1),
            0..=0x1f => ("", 1),
            0xef if bytes.get(i + 1) == Some(&0xbf)
                && matches!(bytes.get(i + 2), Some(0xbe | 0xbf)) =>
            {
                ("", 3)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[start..i]);
        out.push_str(replacement);
        i += len;
        start = i;
    }
    out.push_str(&text[start..]);
}

/// [`escape`] into a new string.
pub fn escaped(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 5 / 4);
    escape(&mut out, text);
    out
}

/// The values of the `id` attributes in `html`.
pub fn ids(html: &str) -> impl Iterator<Item = &str> {
    html.match_indices(" id=\"").filter_map(move |(at, m)| {
        let rest = &html[at + m.len()..];
        rest.find('"').map(|end| &rest[..end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_makes_text_safe_for_xml_and_drops_what_xml_forbids() {
        let mut out = String::new();
        escape(&mut out, "a<b>&\"c'\u{1}\u{b}\u{fffe}\tok\u{202e}é");
        assert_eq!(out, "a&lt;b&gt;&amp;&quot;c&apos;\tok\u{202e}é");
    }

    #[test]
    fn html_ids_finds_every_id_attribute() {
        let ids: Vec<_> =
            ids(r#"<h2 id="a">A</h2><div class="x" id="fn-1"><p data-id="no">"#).collect();
        assert_eq!(ids, ["a", "fn-1"]);
    }
}
