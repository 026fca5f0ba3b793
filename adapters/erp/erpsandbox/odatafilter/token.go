package odatafilter

import "strings"

// Kind is the lexical class of a token.
type Kind int

// The kinds of token of a $filter.
const (
	// Word is a name, a keyword or an unquoted literal such as 42, null or
	// a v4 date.
	Word Kind = iota

	// Quoted is a string literal, possibly typed by a prefix written
	// against its opening quote, as v2's datetime'2024-01-01T00:00'.
	Quoted

	// Open and Close are parentheses.
	Open
	Close
)

// Token is one lexical element of a $filter.
type Token struct {
	Kind Kind

	// Text is the word, or the value of a quoted literal with its doubled
	// quotes undone.
	Text string

	// Prefix is the type name written before a quoted literal, if any.
	Prefix string

	// Raw is the token as written, and Pos its byte offset.
	Raw string
	Pos int
}

// tokenize splits a $filter into tokens. Quotes inside a string literal are
// doubled, as OData writes them.
func tokenize(s string) ([]Token, error) {
	var toks []Token
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case isSpace(c):
			i++
		case c == '(' || c == ')':
			kind := Open
			if c == ')' {
				kind = Close
			}
			toks = append(toks, Token{Kind: kind, Text: s[i : i+1], Raw: s[i : i+1], Pos: i})
			i++
		default:
			t, err := readWord(s, i)
			if err != nil {
				return nil, err
			}
			toks = append(toks, t)
			i += len(t.Raw)
		}
	}
	return toks, nil
}

// readWord reads the word or the literal, typed or not, that starts at s[i].
func readWord(s string, i int) (Token, error) {
	j := i
	for j < len(s) && !isSpace(s[j]) && s[j] != '(' && s[j] != ')' && s[j] != '\'' {
		j++
	}
	if j == len(s) || s[j] != '\'' {
		return Token{Kind: Word, Text: s[i:j], Raw: s[i:j], Pos: i}, nil
	}

	text, end, err := readQuoted(s, j)
	if err != nil {
		return Token{}, err
	}
	return Token{Kind: Quoted, Text: text, Prefix: s[i:j], Raw: s[i:end], Pos: i}, nil
}

// readQuoted reads the string literal whose opening quote is s[i],
// returning its value and the index after its closing quote.
func readQuoted(s string, i int) (string, int, error) {
	var b strings.Builder
	for j := i + 1; j < len(s); j++ {
		if s[j] != '\'' {
			b.WriteByte(s[j])
			continue
		}
		if j+1 < len(s) && s[j+1] == '\'' {
			b.WriteByte('\'')
			j++
			continue
		}
		return b.String(), j + 1, nil
	}
	return "", 0, &Error{i, "unterminated string literal"}
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r'
}

// Unquote reads the string literal at the start of s, as key predicates
// also write them, returning its value and its length in s.
func Unquote(s string) (string, int, error) {
	if !strings.HasPrefix(s, "'") {
		return "", 0, &Error{0, "string literal expected"}
	}
	return readQuoted(s, 0)
}
