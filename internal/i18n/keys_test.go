package i18n_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"placementbot/internal/discord"
	"placementbot/internal/discord/features"
	"placementbot/internal/i18n"
	"placementbot/internal/placement"
)

// placeholder finds the fields a message fills, plain ({{.Title}}) or inside logic ({{if .Reason}}).
var placeholder = regexp.MustCompile(`\.([A-Z][A-Za-z0-9_]*)`)

func fields(text string) []string {
	var out []string
	for _, block := range regexp.MustCompile(`\{\{[^}]*\}\}`).FindAllString(text, -1) {
		for _, m := range placeholder.FindAllStringSubmatch(block, -1) {
			if !slices.Contains(out, m[1]) {
				out = append(out, m[1])
			}
		}
	}
	slices.Sort(out)
	return out
}

// Every message fills the same fields in both languages: a field one language forgets would
// leave its members without the title or the reason.
func TestSamePlaceholdersInBothLanguages(t *testing.T) {
	c := load(t)
	for _, id := range c.IDs("en-US") {
		en, zh := fields(c.Text("en-US", id)), fields(c.Text("zh-CN", id))
		if !slices.Equal(en, zh) && !strings.HasPrefix(id, "name.") {
			t.Errorf("%s: en-US fills %v, zh-CN fills %v", id, en, zh)
		}
	}
}

// Every catalog id the code names as a literal exists in both languages, and so do the ids the
// code builds from a prefix (statuses, checklist items, command names and descriptions, the
// names of the audit trail's actions).
func TestEveryKeyTheCodeUsesExists(t *testing.T) {
	c := load(t)
	prefixes := map[string]bool{}
	for _, id := range c.IDs("en-US") {
		prefixes[strings.SplitN(id, ".", 2)[0]] = true
	}
	used := keysInSource(t, prefixes)
	if len(used) < 300 {
		t.Fatalf("found only %d keys in the source; the scan is broken", len(used))
	}
	for _, st := range []placement.Status{placement.Submitted, placement.Shortlisted, placement.Offered, placement.Accepted,
		placement.Approved, placement.Withdrawn, placement.Rejected, placement.Declined, placement.Expired} {
		used["status."+string(st)] = "placement.Status"
	}
	for _, item := range placement.DefaultChecklist {
		used["check."+item] = "placement.DefaultChecklist"
	}
	var walk func(path string, cmds []discord.Command)
	walk = func(path string, cmds []discord.Command) {
		for _, cmd := range cmds {
			p := strings.TrimPrefix(path+"."+cmd.Name, ".")
			used["cmd."+p] = "command tree"
			used["name."+p] = "command tree"
			for _, o := range cmd.Options {
				used["opt."+p+"."+o.Name] = "command tree"
				used["name."+p+"."+o.Name] = "command tree"
				for _, ch := range o.Choices {
					used["choice."+ch] = "command tree"
				}
			}
			walk(p, cmd.Subs)
		}
	}
	walk("", discord.Commands(features.All(discord.Deps{})))
	for key, where := range used {
		for _, lang := range i18n.Languages {
			if strings.HasPrefix(key, "name.") && lang == "en-US" {
				continue // English names are the command names themselves
			}
			if !c.Has(lang, key) {
				t.Errorf("%s uses %q, which %s lacks", where, key, lang)
			}
		}
	}
}

func load(t *testing.T) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// callName is the name of the called function or method.
func callName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// keysInSource collects the string literals of non-test Go files under internal/ and cmd/ that
// look like catalog ids ("apps.applied"): a known prefix, a dot, lower-case words. Literals
// ending in a dot or an underscore are prefixes the code completes at run time; the families
// that matter are checked above.
func keysInSource(t *testing.T, prefixes map[string]bool) map[string]string {
	t.Helper()
	key := regexp.MustCompile(`^([a-z]+)\.[a-z0-9_]*[a-z0-9](\.[a-z0-9_]*[a-z0-9])*$`)
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, root := range []string{"../../internal", "../../cmd"} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") ||
				strings.Contains(path, "testenv") {
				return err
			}
			f, err := parser.ParseFile(fset, path, nil, 0)
			if err != nil {
				return err
			}
			// Audit actions ("setup.update") look like ids but name what happened, not a text.
			actions := map[*ast.BasicLit]bool{}
			ast.Inspect(f, func(n ast.Node) bool {
				switch x := n.(type) {
				case *ast.CallExpr:
					if name := callName(x.Fun); name == "audit" || strings.HasSuffix(name, "Audit") {
						for _, a := range x.Args {
							if lit, ok := a.(*ast.BasicLit); ok {
								actions[lit] = true
							}
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := x.Key.(*ast.Ident); ok && k.Name == "Action" {
						if lit, ok := x.Value.(*ast.BasicLit); ok {
							actions[lit] = true
						}
					}
				}
				return true
			})
			ast.Inspect(f, func(n ast.Node) bool {
				lit, ok := n.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					return true
				}
				if actions[lit] {
					// /audit names every action the service records.
					if key.MatchString(s) {
						out["audit."+s] = fset.Position(lit.Pos()).String()
					}
					return true
				}
				if m := key.FindStringSubmatch(s); m != nil && prefixes[m[1]] && !strings.HasSuffix(s, ".yaml") {
					out[s] = fset.Position(lit.Pos()).String()
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}
