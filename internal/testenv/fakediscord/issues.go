package fakediscord

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// issue is one reason a request is refused, located in the request's JSON.
type issue struct {
	loc  []string // JSON pointer tokens of the offending value in the body
	msg  string   // for the test log
	code string   // Discord's error code, for the 400 answer
	text string   // Discord-style message, for the 400 answer
}

func (i issue) String() string {
	return "at " + locString(i.loc) + ": " + i.msg
}

func locString(loc []string) string {
	if len(loc) == 0 {
		return "/ (whole body)"
	}
	return "/" + strings.Join(loc, "/")
}

// schemaIssues turns a validation error into the few leaf failures that explain it.
//
// Discord's unions (anyOf/oneOf over a "type" discriminator, or oneOf [null, X]) make the raw
// error tree list every branch; the branches that fail on the discriminator or on the JSON
// type at the union itself are not what the sender meant, so they are dropped when another
// branch got further.
func schemaIssues(err error) []issue {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return []issue{{msg: err.Error(), code: "BASE_TYPE_INVALID", text: err.Error()}}
	}
	var out []issue
	seen := map[string]bool{}
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) == 0 {
			for _, is := range leafIssues(e) {
				key := is.String()
				if !seen[key] {
					seen[key] = true
					out = append(out, is)
				}
			}
			return
		}
		causes := e.Causes
		switch e.ErrorKind.(type) {
		case *kind.AnyOf, *kind.OneOf:
			var kept []*jsonschema.ValidationError
			for _, c := range causes {
				if !misfit(c, e.InstanceLocation) {
					kept = append(kept, c)
				}
			}
			if len(kept) == 0 {
				// No branch was meant for this value: one issue naming what is allowed reads
				// better than one per branch.
				is := noAlternative(e)
				if key := is.String(); !seen[key] {
					seen[key] = true
					out = append(out, is)
				}
				return
			}
			if is, ok := oneOfValues(kept, e.InstanceLocation); ok {
				if key := is.String(); !seen[key] {
					seen[key] = true
					out = append(out, is)
				}
				return
			}
			causes = kept
		}
		for _, c := range causes {
			walk(c)
		}
	}
	walk(ve)
	return out
}

// misfit reports whether a union branch failed on the discriminator ("type" of the object at
// loc) or on the JSON type of the value at loc, i.e. the value was never meant for it.
func misfit(branch *jsonschema.ValidationError, loc []string) bool {
	found := false
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if found {
			return
		}
		if len(e.Causes) == 0 {
			switch e.ErrorKind.(type) {
			case *kind.Type:
				found = equalLoc(e.InstanceLocation, loc)
			case *kind.Enum, *kind.Const:
				found = len(e.InstanceLocation) == len(loc)+1 && e.InstanceLocation[len(loc)] == "type" &&
					equalLoc(e.InstanceLocation[:len(loc)], loc)
			}
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(branch)
	return found
}

// noAlternative describes a union none of whose branches fits: the discriminator values or
// JSON types the branches accept.
func noAlternative(union *jsonschema.ValidationError) issue {
	loc := union.InstanceLocation
	var wantTypes, wantValues []string
	var got any
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				walk(c)
			}
			return
		}
		switch k := e.ErrorKind.(type) {
		case *kind.Type:
			if equalLoc(e.InstanceLocation, loc) {
				got = k.Got
				wantTypes = append(wantTypes, k.Want...)
			}
		case *kind.Enum:
			if len(e.InstanceLocation) == len(loc)+1 {
				got = k.Got
				for _, w := range k.Want {
					wantValues = append(wantValues, fmt.Sprint(w))
				}
			}
		case *kind.Const:
			if len(e.InstanceLocation) == len(loc)+1 {
				got = k.Got
				wantValues = append(wantValues, fmt.Sprint(k.Want))
			}
		}
	}
	walk(union)
	if len(wantValues) > 0 {
		l := append(append([]string(nil), loc...), "type")
		msg := fmt.Sprintf("component or payload type %v is not one of the types allowed here (%s)", got, strings.Join(dedupe(wantValues), ", "))
		return issue{loc: l, msg: msg, code: "BASE_TYPE_CHOICES", text: "Value must be one of {" + strings.Join(dedupe(wantValues), ", ") + "}."}
	}
	msg := fmt.Sprintf("got %v, want %s", got, strings.Join(dedupe(wantTypes), " or "))
	return issue{loc: append([]string(nil), loc...), msg: msg, code: "BASE_TYPE_BAD_TYPE", text: "Invalid value type (" + msg + ")."}
}

// oneOfValues merges a union of constants (such as AllowedMentionTypes) whose every branch
// failed on the value itself into one issue listing the allowed values.
func oneOfValues(branches []*jsonschema.ValidationError, loc []string) (issue, bool) {
	var want []string
	var got any
	for _, b := range branches {
		for b.ErrorKind != nil && len(b.Causes) == 1 {
			b = b.Causes[0]
		}
		if len(b.Causes) != 0 || !equalLoc(b.InstanceLocation, loc) {
			return issue{}, false
		}
		switch k := b.ErrorKind.(type) {
		case *kind.Const:
			got, want = k.Got, append(want, fmt.Sprint(k.Want))
		case *kind.Enum:
			got = k.Got
			for _, w := range k.Want {
				want = append(want, fmt.Sprint(w))
			}
		default:
			return issue{}, false
		}
	}
	want = dedupe(want)
	msg := fmt.Sprintf("value %v is not one of %s", marshal(got), strings.Join(want, ", "))
	return issue{loc: append([]string(nil), loc...), msg: msg, code: "BASE_TYPE_CHOICES", text: "Value must be one of {" + strings.Join(want, ", ") + "}."}, true
}

func dedupe(s []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}

func equalLoc(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// leafIssues maps one leaf failure to issues with Discord's codes and wording where they are
// known, so a handler that reports Discord's error sees something realistic.
func leafIssues(e *jsonschema.ValidationError) []issue {
	loc := append([]string(nil), e.InstanceLocation...)
	msg := e.ErrorKind.LocalizedString(printer)
	switch k := e.ErrorKind.(type) {
	case *kind.Required:
		out := make([]issue, 0, len(k.Missing))
		for _, m := range k.Missing {
			out = append(out, issue{loc: append(append([]string(nil), loc...), m), msg: "required property is missing", code: "BASE_TYPE_REQUIRED", text: "This field is required"})
		}
		return out
	case *kind.MaxLength:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_MAX_LENGTH", text: fmt.Sprintf("Must be %d or fewer in length.", k.Want)}}
	case *kind.MinLength:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_MIN_LENGTH", text: fmt.Sprintf("Must be %d or more in length.", k.Want)}}
	case *kind.MaxItems:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_MAX_LENGTH", text: fmt.Sprintf("Must be %d or fewer in length.", k.Want)}}
	case *kind.MinItems:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_MIN_LENGTH", text: fmt.Sprintf("Must be %d or more in length.", k.Want)}}
	case *kind.Enum, *kind.Const:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_CHOICES", text: "Value must be one of the allowed choices (" + msg + ")."}}
	case *kind.Maximum, *kind.Minimum, *kind.ExclusiveMaximum, *kind.ExclusiveMinimum:
		return []issue{{loc: loc, msg: msg, code: "NUMBER_TYPE_OUT_OF_RANGE", text: "Value is out of range (" + msg + ")."}}
	case *kind.Format:
		return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_INVALID", text: "Not a well formed value (" + msg + ")."}}
	}
	return []issue{{loc: loc, msg: msg, code: "BASE_TYPE_INVALID", text: "Invalid value (" + msg + ")."}}
}

// discordErrorBody renders issues the way Discord answers an invalid body: code 50035 with an
// "errors" tree keyed by the path of each offending field.
func discordErrorBody(issues []issue) []byte {
	tree := map[string]any{}
	for _, is := range issues {
		node := tree
		for _, tok := range is.loc {
			child, ok := node[tok].(map[string]any)
			if !ok {
				child = map[string]any{}
				node[tok] = child
			}
			node = child
		}
		errs, _ := node["_errors"].([]any)
		node["_errors"] = append(errs, map[string]any{"code": is.code, "message": is.text})
	}
	b, _ := json.Marshal(map[string]any{"code": 50035, "message": "Invalid Form Body", "errors": tree})
	return b
}

// lookup returns the value at loc in v.
func lookup(v any, loc []string) (any, bool) {
	for _, tok := range loc {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// excerpt shows the JSON around an issue: the nearest object that holds the offending value
// (the value itself when it is an object), so the test log shows which button or option it was.
func excerpt(body any, loc []string) string {
	for {
		if v, ok := lookup(body, loc); ok {
			if _, isObj := v.(map[string]any); isObj || len(loc) == 0 {
				return clip(marshal(v))
			}
		}
		loc = loc[:len(loc)-1]
	}
}

func marshal(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// clip keeps excerpts readable in a test log.
func clip(s string) string {
	const limit = 600
	if utf8.RuneCountInString(s) <= limit {
		return s
	}
	return string([]rune(s)[:limit]) + "…"
}
