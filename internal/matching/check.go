package matching

import (
	"errors"
	"fmt"
)

// Stability violations found by Check.
var (
	ErrOverCapacity = errors.New("a position holds more students than its capacity")
	ErrUnacceptable = errors.New("a student is matched to a position that did not rank them")
)

// BlockingPair is a student and a position who both prefer each other to what the result
// gave them: the student ranked the position above their match (or is unmatched), and the
// position ranked the student and has a free slot or holds a student it ranks below them.
type BlockingPair struct {
	Student  string
	Position int64
}

func (b *BlockingPair) Error() string {
	return fmt.Sprintf("student %s and position %d would both rather have each other", b.Student, b.Position)
}

// Check verifies that the result is a stable matching: every position within its capacity,
// every pair acceptable to both sides, and no blocking pair. It reads every rank entry at most
// twice, so it runs in time linear in the entries.
func (r Result) Check() error {
	p := r.p
	filled := make([]int32, len(p.positions))
	worst := make([]uint32, len(p.positions)) // the key of the worst student each position holds
	for s, e := range r.of {
		if e < 0 {
			continue
		}
		if p.entries[e].key == unranked {
			return fmt.Errorf("student %s at position %d: %w", p.students[s], p.positions[p.entries[e].pos], ErrUnacceptable)
		}
		q := p.entries[e].pos
		filled[q]++
		if filled[q] > p.capacity[q] {
			return fmt.Errorf("position %d: %w", p.positions[q], ErrOverCapacity)
		}
		worst[q] = max(worst[q], p.entries[e].key)
	}
	for s, e := range r.of {
		end := e
		if e < 0 {
			end = p.start[s+1]
		}
		for f := p.start[s]; f < end; f++ {
			k, q := p.entries[f].key, p.entries[f].pos
			if k != unranked && (filled[q] < p.capacity[q] || k < worst[q]) {
				return &BlockingPair{Student: p.students[s], Position: p.positions[q]}
			}
		}
	}
	return nil
}
