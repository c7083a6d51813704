package matching

import (
	"cmp"
	"hash/fnv"
	"slices"
)

// drawLottery gives each student a place in the round's one lottery: students are ordered by
// a number drawn from the seed and their id (then by id, should two numbers be equal), and a
// student's place in that order breaks every tie a position's ranking has. The number depends
// only on the seed and the id, so the draw does not depend on the order students were added.
func drawLottery(seed uint64, students []string) []uint32 {
	type ticket struct {
		number uint64
		s      int
	}
	tickets := make([]ticket, len(students))
	for s, id := range students {
		tickets[s] = ticket{LotteryNumber(seed, id), s}
	}
	slices.SortFunc(tickets, func(a, b ticket) int {
		if c := cmp.Compare(a.number, b.number); c != 0 {
			return c
		}
		return cmp.Compare(students[a.s], students[b.s])
	})
	place := make([]uint32, len(students))
	for i, t := range tickets {
		place[t.s] = uint32(i)
	}
	return place
}

// LotteryNumber is the student's lottery number in a round drawn from seed: a lower number wins
// a tie. It is splitmix64 of the seed xor the FNV-1a hash of the id, so anyone holding the seed
// can recompute the draw.
func LotteryNumber(seed uint64, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(id))
	z := seed ^ h.Sum64()
	z += 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}
