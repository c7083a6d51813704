package fakediscord

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// SpecEnv names the environment variable that, when set, gives the path of Discord's
// OpenAPI description instead of <repo root>/../shared/discord-api-spec/openapi.json.
const SpecEnv = "PLACEMENTBOT_DISCORD_SPEC"

// specURL is the name the description is registered under with the schema compiler. It is
// never fetched: every $ref in the file is local ("#/components/...").
const specURL = "https://discord.invalid/openapi.json"

// The description is 1.2 MB and is shared by every fake in the process: it is parsed once,
// and each operation's schemas are compiled the first time a request needs them.
var (
	specOnce     sync.Once
	sharedSpec   *apiSpec
	sharedErr    error
	specLoadTime time.Duration
)

// loadSpec returns the process-wide parsed description.
func loadSpec() (*apiSpec, error) {
	specOnce.Do(func() {
		start := time.Now()
		sharedSpec, sharedErr = readSpec()
		specLoadTime = time.Since(start)
	})
	return sharedSpec, sharedErr
}

// specPath finds the description: SpecEnv if set, else ../shared/discord-api-spec/openapi.json
// next to the nearest directory above the working directory that holds go.mod.
func specPath() (string, error) {
	if p := os.Getenv(SpecEnv); p != "" {
		return p, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("find Discord OpenAPI description: %w", err)
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared", "discord-api-spec", "openapi.json"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("find Discord OpenAPI description: no go.mod in %s or any parent, so the repository root is unknown; set %s to the path of openapi.json", wd, SpecEnv)
		}
		dir = parent
	}
}

// apiSpec is the parsed description: its routes and a lazily filled cache of compiled schemas.
type apiSpec struct {
	path   string
	doc    map[string]any
	routes []*route

	mu       sync.Mutex // guards compiler and compiled; the compiler is not safe for concurrent use
	compiler *jsonschema.Compiler
	compiled map[string]compileResult
}

type compileResult struct {
	schema *jsonschema.Schema
	err    error
}

// route is one entry of the description's "paths", split into segments for matching.
type route struct {
	template string
	segs     []string // literal segments as is, parameters as "{name}"
	ops      map[string]*operation
}

// operation is one method of a route, reduced to what the fake checks.
type operation struct {
	method    string
	route     string
	id        string
	anonymous bool // the security requirements include the empty one (webhook-token routes)

	bodyRequired bool
	// content maps each accepted media type of the request body to the JSON pointer of its schema.
	content map[string]string
	params  []param

	// responses lists the status codes the description documents, to pick 200 or 204.
	responses map[string]bool
	// okArray reports that the 200 answer is a JSON array, so a generic answer is [] not {}.
	okArray bool
}

// param is a path or query parameter with the pointer of its schema and its JSON type, which
// says how the URL text is turned into a JSON value before validation.
type param struct {
	name     string
	in       string
	required bool
	ptr      string
	typ      string
}

func readSpec() (*apiSpec, error) {
	path, err := specPath()
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("the Discord OpenAPI description %s does not exist: the strict fake Discord validates every request against it, so it must be at <repo root>/../shared/discord-api-spec/openapi.json (or set %s to its path)", path, SpecEnv)
		}
		return nil, fmt.Errorf("read Discord OpenAPI description: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parse Discord OpenAPI description %s: %w", path, err)
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("parse Discord OpenAPI description %s: top level is not an object", path)
	}
	if ver, _ := doc["openapi"].(string); !strings.HasPrefix(ver, "3.1") {
		return nil, fmt.Errorf("the Discord OpenAPI description %s has openapi %q, want 3.1.x", path, ver)
	}
	s := &apiSpec{path: path, doc: doc, compiled: map[string]compileResult{}}
	if err := s.buildRoutes(); err != nil {
		return nil, fmt.Errorf("the Discord OpenAPI description %s: %w", path, err)
	}

	c := jsonschema.NewCompiler()
	// OpenAPI 3.1 schemas are JSON Schema 2020-12.
	c.DefaultDraft(jsonschema.Draft2020)
	// Discord rejects malformed URLs and timestamps ("uri", "date-time"); in 2020-12 formats
	// are only annotations unless asserted. Formats the library does not know (Discord's
	// "snowflake", "int32", ...) stay annotations.
	c.AssertFormat()
	if err := c.AddResource(specURL, doc); err != nil {
		return nil, fmt.Errorf("load Discord OpenAPI description %s: %w", path, err)
	}
	s.compiler = c
	return s, nil
}

func (s *apiSpec) buildRoutes() error {
	paths, ok := s.doc["paths"].(map[string]any)
	if !ok {
		return errors.New(`no "paths" object`)
	}
	for tmpl, pv := range paths {
		item, ok := pv.(map[string]any)
		if !ok {
			continue
		}
		r := &route{template: tmpl, segs: splitPath(tmpl), ops: map[string]*operation{}}
		var shared []param
		for i, p := range asSlice(item["parameters"]) {
			if prm, ok := s.param(p, pointer("paths", tmpl, "parameters", fmt.Sprint(i))); ok {
				shared = append(shared, prm)
			}
		}
		for method, ov := range item {
			m := strings.ToUpper(method)
			switch m {
			case "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS":
			default:
				continue
			}
			o, ok := ov.(map[string]any)
			if !ok {
				continue
			}
			op := &operation{method: m, route: tmpl, content: map[string]string{}, responses: map[string]bool{}}
			op.id, _ = o["operationId"].(string)
			op.params = append(op.params, shared...)
			for i, p := range asSlice(o["parameters"]) {
				if prm, ok := s.param(p, pointer("paths", tmpl, method, "parameters", fmt.Sprint(i))); ok {
					op.params = append(op.params, prm)
				}
			}
			op.anonymous = true
			if sec, present := o["security"]; present {
				op.anonymous = false
				for _, req := range asSlice(sec) {
					if m, ok := req.(map[string]any); ok && len(m) == 0 {
						op.anonymous = true
					}
				}
			}
			if rb, ok := o["requestBody"].(map[string]any); ok {
				op.bodyRequired, _ = rb["required"].(bool)
				if content, ok := rb["content"].(map[string]any); ok {
					for mt := range content {
						op.content[mt] = pointer("paths", tmpl, method, "requestBody", "content", mt, "schema")
					}
				}
			}
			if resp, ok := o["responses"].(map[string]any); ok {
				for code := range resp {
					op.responses[code] = true
				}
				ok200, _ := resp["200"].(map[string]any)
				content, _ := ok200["content"].(map[string]any)
				js, _ := content["application/json"].(map[string]any)
				op.okArray = js != nil && s.jsonType(js["schema"]) == "array"
			}
			r.ops[m] = op
		}
		s.routes = append(s.routes, r)
	}
	if len(s.routes) == 0 {
		return errors.New("no routes under \"paths\"")
	}
	// Sorted so that, among templates that match a path, the one with literal segments earliest
	// wins: "/users/@me/channels" before "/users/{user_id}/channels".
	sort.Slice(s.routes, func(i, j int) bool { return moreSpecific(s.routes[i].segs, s.routes[j].segs) })
	return nil
}

// param reads a parameter object (following a $ref) into a param.
func (s *apiSpec) param(v any, ptr string) (param, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		return param{}, false
	}
	if ref, ok := m["$ref"].(string); ok {
		target, tptr := s.resolve(ref)
		if target == nil {
			return param{}, false
		}
		m, ptr = target, tptr
	}
	name, _ := m["name"].(string)
	in, _ := m["in"].(string)
	if name == "" || (in != "path" && in != "query") {
		return param{}, false
	}
	p := param{name: name, in: in, ptr: ptr + "/schema"}
	p.required, _ = m["required"].(bool)
	p.typ = s.jsonType(m["schema"])
	if m["schema"] == nil {
		p.ptr = ""
	}
	return p, true
}

// resolve follows a local reference such as "#/components/schemas/SnowflakeType".
func (s *apiSpec) resolve(ref string) (map[string]any, string) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, ""
	}
	ptr := ref[1:]
	var cur any = s.doc
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, ""
		}
		cur = m[tok]
	}
	m, _ := cur.(map[string]any)
	return m, ptr
}

// jsonType is the first non-null JSON type of a schema, following $refs; "string" when unknown.
func (s *apiSpec) jsonType(v any) string {
	for range 16 {
		m, ok := v.(map[string]any)
		if !ok {
			return "string"
		}
		if ref, ok := m["$ref"].(string); ok {
			v, _ = s.resolve(ref)
			continue
		}
		switch t := m["type"].(type) {
		case string:
			return t
		case []any:
			for _, x := range t {
				if x, ok := x.(string); ok && x != "null" {
					return x
				}
			}
		}
		return "string"
	}
	return "string"
}

// match finds the operation for method and path (relative to the API base, e.g.
// "/channels/1/messages"). pathKnown reports whether some route matched the path at all, so
// callers can tell an unknown path from an unsupported method.
func (s *apiSpec) match(method, escapedPath string) (op *operation, params map[string]string, pathKnown bool) {
	segs := splitPath(escapedPath)
	for i, seg := range segs {
		if u, err := url.PathUnescape(seg); err == nil {
			segs[i] = u
		}
	}
	for _, r := range s.routes {
		p, ok := r.bind(segs)
		if !ok {
			continue
		}
		pathKnown = true
		if o := r.ops[method]; o != nil {
			return o, p, true
		}
	}
	return nil, nil, pathKnown
}

// operation returns the operation for method and route template, or nil.
func (s *apiSpec) operation(method, tmpl string) *operation {
	for _, r := range s.routes {
		if r.template == tmpl {
			return r.ops[strings.ToUpper(method)]
		}
	}
	return nil
}

func (r *route) bind(segs []string) (map[string]string, bool) {
	if len(segs) != len(r.segs) {
		return nil, false
	}
	params := map[string]string{}
	for i, t := range r.segs {
		if isParam(t) {
			params[t[1:len(t)-1]] = segs[i]
			continue
		}
		if t != segs[i] {
			return nil, false
		}
	}
	return params, true
}

// schema compiles (once) and returns the schema at ptr, a JSON pointer into the description.
func (s *apiSpec) schema(ptr string) (*jsonschema.Schema, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.compiled[ptr]; ok {
		return r.schema, r.err
	}
	sch, err := s.compiler.Compile(specURL + "#" + fragment(ptr))
	if err != nil {
		err = fmt.Errorf("compile schema %s of %s: %w", ptr, s.path, err)
	}
	s.compiled[ptr] = compileResult{sch, err}
	return sch, err
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func isParam(seg string) bool {
	return len(seg) >= 2 && seg[0] == '{' && seg[len(seg)-1] == '}'
}

// moreSpecific orders templates: at the first segment where one has a literal and the other a
// parameter, the literal one comes first.
func moreSpecific(a, b []string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		pa, pb := isParam(a[i]), isParam(b[i])
		if pa != pb {
			return !pa
		}
	}
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return strings.Join(a, "/") < strings.Join(b, "/")
}

// pointer builds a JSON pointer from raw tokens.
func pointer(tokens ...string) string {
	var b strings.Builder
	for _, t := range tokens {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(t, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// fragment percent-encodes each token of a JSON pointer for use as a URL fragment; the
// compiler decodes fragments before using them as pointers.
func fragment(ptr string) string {
	toks := strings.Split(ptr, "/")
	for i, t := range toks {
		toks[i] = url.PathEscape(t)
	}
	return strings.Join(toks, "/")
}

func asSlice(v any) []any {
	s, _ := v.([]any)
	return s
}
