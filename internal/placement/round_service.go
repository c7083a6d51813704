package placement

import (
	"context"
	"errors"
)

// errNotBuilt is returned by the round methods until their bodies land.
var errNotBuilt = errors.New("placement: rounds are not built yet")

// OpenRound opens a placement round over the open positions in scope; coordinators only.
func (s *Service) OpenRound(ctx context.Context, a Actor, in RoundInput) (Round, []RoundPosition, error) {
	return Round{}, nil, errNotBuilt
}

// Rounds lists the guild's rounds, newest first, for autocomplete and views.
func (s *Service) Rounds(ctx context.Context, a Actor, f RoundFilter) ([]Round, error) {
	return nil, errNotBuilt
}

// Round returns one round with its positions.
func (s *Service) Round(ctx context.Context, a Actor, id int64) (Round, []RoundPosition, error) {
	return Round{}, nil, errNotBuilt
}

// StudentRanking is the student's own list in the round.
func (s *Service) StudentRanking(ctx context.Context, a Actor, roundID int64) (RoundRanking, error) {
	return RoundRanking{}, errNotBuilt
}

// SetStudentRanks replaces the student's order of their applications in the round.
func (s *Service) SetStudentRanks(ctx context.Context, a Actor, roundID int64, appIDs []int64) error {
	return errNotBuilt
}

// PositionRanking is a position's list of applicants in the round, for its mentors.
func (s *Service) PositionRanking(ctx context.Context, a Actor, roundID, positionID int64) (RoundRanking, error) {
	return RoundRanking{}, errNotBuilt
}

// SetPositionRanks replaces a position's order of its applicants in the round.
func (s *Service) SetPositionRanks(ctx context.Context, a Actor, roundID, positionID int64, appIDs []int64) error {
	return errNotBuilt
}

// PreviewRound computes the round's match from the current ranks; coordinators only.
func (s *Service) PreviewRound(ctx context.Context, a Actor, roundID int64) (RoundPreview, error) {
	return RoundPreview{}, errNotBuilt
}

// LastPreview is the round's last preview, if any; coordinators only.
func (s *Service) LastPreview(ctx context.Context, a Actor, roundID int64) (RoundPreview, bool, error) {
	return RoundPreview{}, false, errNotBuilt
}

// PublishRound turns the round's match into offers or accepted applications, once.
func (s *Service) PublishRound(ctx context.Context, a Actor, roundID int64) (RoundPublished, error) {
	return RoundPublished{}, errNotBuilt
}

// RoundResult is the student's own result of a published round.
func (s *Service) RoundResult(ctx context.Context, a Actor, roundID int64) (RoundExplanation, error) {
	return RoundExplanation{}, errNotBuilt
}
