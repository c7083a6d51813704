package rounds

import (
	"slices"
	"strings"
	"testing"

	"placementbot/internal/placement"
)

// The order form reads numbers however a member separates them, and names what is wrong.
func TestParseOrder(t *testing.T) {
	for _, tc := range []struct {
		typed    string
		n, limit int
		want     []int
		err      string
	}{
		{"3 1 5", 5, 5, []int{2, 0, 4}, ""},
		{" 2,1\n3 ", 3, 3, []int{1, 0, 2}, ""},
		{"２、１；#3", 3, 3, []int{1, 0, 2}, ""},
		{"1，2", 2, 2, []int{0, 1}, ""},
		{"007", 7, 1, []int{6}, ""},
		{"6", 5, 5, nil, "rounds.err_order_number"},
		{"0", 5, 5, nil, "rounds.err_order_number"},
		{"1 -2", 5, 5, nil, "rounds.err_order_word"},
		{"1 2 2", 5, 5, nil, "rounds.err_order_twice"},
		{"1 2 3", 5, 2, nil, "rounds.err_order_too_many"},
		{"one", 5, 5, nil, "rounds.err_order_word"},
		{"1.5", 5, 5, nil, "rounds.err_order_word"},
		{"99999999999999999999", 5, 5, nil, "rounds.err_order_word"},
		{" \n ", 5, 5, nil, "rounds.err_order_empty"},
	} {
		got, err := parseOrder(tc.typed, tc.n, tc.limit)
		var pe *placement.Error
		switch {
		case tc.err == "" && (err != nil || !slices.Equal(got, tc.want)):
			t.Errorf("%q: %v %v, want %v", tc.typed, got, err, tc.want)
		case tc.err != "" && (err == nil || !asError(err, &pe) || pe.Key != tc.err || got != nil):
			t.Errorf("%q: %v %v, want %s", tc.typed, got, err, tc.err)
		}
	}
}

func asError(err error, pe **placement.Error) bool {
	e, ok := err.(*placement.Error)
	*pe = e
	return ok
}

// Whatever is typed, the order names each entry of the list at most once and stays within the limit.
func FuzzParseOrder(f *testing.F) {
	for _, s := range []string{"3 1 5", "1,1", "２、１", "", "9 9 9", "#1 #2"} {
		f.Add(s, 5, 3)
	}
	f.Fuzz(func(t *testing.T, typed string, n, limit int) {
		if n < 0 || n > 1000 || limit < 0 {
			return
		}
		got, err := parseOrder(typed, n, limit)
		if err != nil {
			if got != nil || !strings.HasPrefix(err.(*placement.Error).Key, "rounds.err_order_") {
				t.Fatalf("%q: %v with %v", typed, err, got)
			}
			return
		}
		seen := map[int]bool{}
		for _, i := range got {
			if i < 0 || i >= n || seen[i] {
				t.Fatalf("%q: %v", typed, got)
			}
			seen[i] = true
		}
		if len(got) == 0 || len(got) > limit {
			t.Fatalf("%q: %d entries, limit %d", typed, len(got), limit)
		}
	})
}
