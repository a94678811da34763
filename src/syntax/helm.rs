//! Helm chart templates, read without Helm: the YAML skeleton of a
//! template, with lines that are only template actions (`{{- if … }}`,
//! `{{ include … | nindent 4 }}`) blanked and every other action written as
//! `<…>`, the value it stands for being unknown here. Line numbers stay
//! where they are, so findings point into the template.

/// A chart's template: under a `templates/` folder, with template actions.
pub(crate) fn is_template(path: &str, text: &str) -> bool {
    (path.contains("/templates/") || path.starts_with("templates/")) && text.contains("{{")
}

/// The template as YAML its parser can read.
pub(crate) fn skeleton(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let (body, newline) = line.strip_suffix('\n').map_or((line, ""), |b| (b, "\n"));
        let trimmed = body.trim();
        let only_actions =
            trimmed.starts_with("{{") && trimmed.ends_with("}}") && without_actions(trimmed).trim().is_empty();
        if !only_actions {
            out.push_str(&replace_actions(body));
        }
        out.push_str(newline);
    }
    out
}

/// The text with every `{{ … }}` removed.
fn without_actions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => rest = &rest[start + end + 2..],
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

/// Every `{{ … }}` written as `<…>`: its expression, without the
/// characters YAML would read as structure or quoting.
fn replace_actions(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let Some(end) = rest[start..].find("}}") else {
            out.push_str(&rest[start..]);
            return out;
        };
        let inner = rest[start + 2..start + end].trim_matches(|c: char| c == '-' || c.is_whitespace());
        // `template` and `include` render the same named template, and the
        // context passed (`.`, `$`) does not name anything: one spelling.
        let words: Vec<&str> = inner
            .split_whitespace()
            .filter(|w| !matches!(*w, "." | "$" | "$global"))
            .map(|w| if w == "template" { "include" } else { w })
            .collect();
        let cleaned: String = words.join(" ").chars().filter(|c| !"\"':#{}[],&*!|>%@`".contains(*c)).collect();
        out.push('<');
        out.push_str(cleaned.trim());
        out.push('>');
        rest = &rest[start + end + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_lines_are_blanked_and_values_written_out() {
        let t = "{{- if .Values.serviceAccount.create -}}\napiVersion: v1\nkind: ServiceAccount\nmetadata:\n  labels:\n    {{- include \"x.labels\" . | indent 4 }}\n  name: {{ template \"x.serviceAccountName\" . }}\n  namespace: \"{{ .Release.Namespace }}\"\n{{- end -}}\n";
        let s = skeleton(t);
        assert_eq!(s.lines().count(), t.lines().count(), "lines stay where they are");
        assert!(s.contains("  name: <include x.serviceAccountName>\n"), "{s}");
        assert_eq!(
            skeleton("a: {{ include \"x.name\" $ }}-aux\n"),
            "a: <include x.name>-aux\n",
            "as `template … .` is"
        );
        assert!(s.contains("  namespace: \"<.Release.Namespace>\"\n"), "{s}");
        let docs = crate::syntax::tree::parse(&s).unwrap_or_default();
        assert_eq!(docs[0].get("kind").and_then(crate::syntax::tree::Node::str), Some("ServiceAccount"));
    }
}
