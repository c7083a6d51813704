package placement

import (
	"slices"
	"testing"
)

// Skills, programs and locations show as typed and fit whatever their casing.
func TestFitIgnoresCasing(t *testing.T) {
	p, err := ProfileInput{Program: "Mechatronics", Skills: "cnc, AutoCAD", Locations: "suzhou"}.Parse()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(p.Skills, []string{"cnc", "AutoCAD"}) {
		t.Fatalf("skills as typed: %q", p.Skills)
	}
	pos := Position{Skills: []string{"CNC", "autocad", "Welding"}, Programs: []string{"MECHATRONICS"}, Location: "Suzhou"}
	r := Fit(p, pos)
	if !slices.Equal(r.Matched, []string{"CNC", "autocad"}) {
		t.Errorf("matched %q, want the position's CNC and autocad", r.Matched)
	}
	if want := 3*2.0/3 + 2 + 1; r.Score != want {
		t.Errorf("score %v, want %v (skills, program and place all count)", r.Score, want)
	}
}
