package discord

import (
	"strings"
	"testing"
)

// Custom_ids are client-controlled: whatever arrives, matching never panics, and a match only
// binds non-empty variables without slashes.
func FuzzRouteMatch(f *testing.F) {
	rs := &Routes{}
	for _, p := range []string{"/setup/clear/{field}", "/position/{id}", "/position/{id}/close", "/browse/{key}/next", "/apply/{id}/submit"} {
		rs.Component(p, 0, nil)
	}
	rs.Command("/help", 0, nil)
	for _, s := range []string{"/setup/clear/digest", "/position/12/close", "//", "/browse//next", "", "/apply/1/submit/x", strings.Repeat("/a", 60)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		rt, vars := rs.match(KindComponent, id)
		if rt == nil {
			return
		}
		for k, v := range vars {
			if v == "" || strings.Contains(v, "/") {
				t.Fatalf("%q bound %s=%q", id, k, v)
			}
		}
		if strings.Count(rt.Pattern, "/") != strings.Count(id, "/") {
			t.Fatalf("%q matched %q", id, rt.Pattern)
		}
	})
}
