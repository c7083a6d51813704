// Package discord turns Discord interactions into calls on the placement service: it holds the
// slash command definitions, the router and its middleware, the handlers and their rendering.
// The transports (gateway, HTTP endpoint, console) live in subpackages and all feed Router.Dispatch.
package discord

import (
	"context"
	"strings"
	"time"

	"placementbot/internal/placement"
)

// Handler answers one interaction.
type Handler func(ctx context.Context, r *Request) (*Reply, error)

// Kind says which sort of interaction a route answers.
type Kind int

// Route kinds: slash commands and autocomplete are keyed by command path, components and
// modals by custom_id pattern.
const (
	KindCommand Kind = iota
	KindAutocomplete
	KindComponent
	KindModal
)

// Route is one path the router knows.
type Route struct {
	Kind    Kind
	Pattern string         // "/setup/roles", or "/setup/clear/{which}" for custom_ids
	Allow   placement.Role // roles allowed to use it; 0 means every member of the guild
	Handler Handler
	// Update marks component routes that answer by editing the message they sit on.
	Update bool
	// Defer acknowledges at once, for routes known to be slow.
	Defer bool
	// Timeout, when set, replaces the router's bound on the interaction's work, for the few
	// routes whose work grows with the school (publishing a round). It should stay well under
	// the 15 minutes an interaction's token lives.
	Timeout time.Duration
}

// Routes is a set of routes keyed by kind.
type Routes struct {
	exact    map[Kind]map[string]*Route
	patterns map[Kind][]*Route
}

// Add registers a route; a pattern with {variables} matches custom_ids segment by segment.
func (rs *Routes) Add(rt Route) {
	if rs.exact == nil {
		rs.exact, rs.patterns = map[Kind]map[string]*Route{}, map[Kind][]*Route{}
	}
	if strings.Contains(rt.Pattern, "{") {
		rs.patterns[rt.Kind] = append(rs.patterns[rt.Kind], &rt)
		return
	}
	if rs.exact[rt.Kind] == nil {
		rs.exact[rt.Kind] = map[string]*Route{}
	}
	rs.exact[rt.Kind][rt.Pattern] = &rt
}

// Command registers a slash command handler.
func (rs *Routes) Command(path string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindCommand, Pattern: path, Allow: allow, Handler: h})
}

// Autocomplete registers the autocomplete handler of a slash command.
func (rs *Routes) Autocomplete(path string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindAutocomplete, Pattern: path, Allow: allow, Handler: h})
}

// Component registers a button or select handler that answers with a new message.
func (rs *Routes) Component(pattern string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindComponent, Pattern: pattern, Allow: allow, Handler: h})
}

// UpdateComponent registers a button or select handler that edits the message it sits on.
func (rs *Routes) UpdateComponent(pattern string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindComponent, Pattern: pattern, Allow: allow, Handler: h, Update: true})
}

// Modal registers a modal submit handler.
func (rs *Routes) Modal(pattern string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindModal, Pattern: pattern, Allow: allow, Handler: h})
}

// UpdateModal registers a modal submit handler that edits the message whose button opened the
// modal (Discord allows that only for modals opened from a message component).
func (rs *Routes) UpdateModal(pattern string, allow placement.Role, h Handler) {
	rs.Add(Route{Kind: KindModal, Pattern: pattern, Allow: allow, Handler: h, Update: true})
}

// match finds the route for a path or custom_id and extracts its variables.
func (rs *Routes) match(k Kind, path string) (*Route, map[string]string) {
	if rt, ok := rs.exact[k][path]; ok {
		return rt, nil
	}
	segs := strings.Split(path, "/")
	for _, rt := range rs.patterns[k] {
		if vars, ok := matchPattern(rt.Pattern, segs); ok {
			return rt, vars
		}
	}
	return nil, nil
}

func matchPattern(pattern string, segs []string) (map[string]string, bool) {
	ps := strings.Split(pattern, "/")
	if len(ps) != len(segs) {
		return nil, false
	}
	vars := map[string]string{}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") && strings.HasSuffix(p, "}") {
			if segs[i] == "" {
				return nil, false
			}
			vars[p[1:len(p)-1]] = segs[i]
			continue
		}
		if p != segs[i] {
			return nil, false
		}
	}
	return vars, true
}
