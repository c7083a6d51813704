package matching

// Why says why a student did not get a position they ranked above their match.
type Why int

// The reasons; none names another student.
const (
	// NotRanked: the position's mentor did not rank the student.
	NotRanked Why = iota + 1
	// Filled: the position's places went to students its mentor ranked above the student.
	Filled
	// NoPlace: the position had no free place in the round.
	NoPlace
)

// Missed is a position a student ranked above the one they got, and why they did not get it.
type Missed struct {
	Position int64
	Rank     int // the student's rank of it
	Why      Why
}

// Explanation is what a student is told about their result.
type Explanation struct {
	Match
	Ranked int      // how many positions the student ranked
	Higher []Missed // every position ranked above their match (all of them when unmatched), best first
}

// Explain returns the student's explanation, or false when the student is not in the round.
// It reads only the student's own list. The reasons hold for a stable result (Check).
func (r Result) Explain(student string) (Explanation, bool) {
	for s, id := range r.p.students {
		if id == student {
			return r.explain(int32(s)), true
		}
	}
	return Explanation{}, false
}

// ExplainAll returns every student's explanation, in the order they were added.
func (r Result) ExplainAll() []Explanation {
	out := make([]Explanation, len(r.of))
	for s := range r.of {
		out[s] = r.explain(int32(s))
	}
	return out
}

func (r Result) explain(s int32) Explanation {
	p := r.p
	e := r.of[s]
	x := Explanation{Match: r.match(s, e), Ranked: int(p.start[s+1] - p.start[s])}
	end := e
	if e < 0 {
		end = p.start[s+1]
	}
	for f := p.start[s]; f < end; f++ {
		m := Missed{Position: p.positions[p.entries[f].pos], Rank: int(f-p.start[s]) + 1}
		switch q := p.entries[f].pos; {
		case p.entries[f].key == unranked:
			m.Why = NotRanked
		case p.capacity[q] == 0:
			m.Why = NoPlace
		default:
			// Stability: the position is full of students its mentor ranks above this one.
			m.Why = Filled
		}
		x.Higher = append(x.Higher, m)
	}
	return x
}
