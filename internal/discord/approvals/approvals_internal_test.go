package approvals

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// A checklist item survives the trip through one custom_id segment, whatever it holds.
func FuzzItemSegment(f *testing.F) {
	for _, s := range []string{"agreement", "health/safety", "100%", "%2F", "三方协议", "a//b%%", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, item string) {
		if !utf8.ValidString(item) {
			return
		}
		seg := itemSegment(item)
		if strings.Contains(seg, "/") {
			t.Fatalf("segment %q of %q holds a slash", seg, item)
		}
		back, err := url.PathUnescape(seg)
		if err != nil || back != item {
			t.Fatalf("%q → %q → %q (%v)", item, seg, back, err)
		}
	})
}
