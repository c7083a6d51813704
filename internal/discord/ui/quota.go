package ui

import "placementbot/internal/placement"

// QuotaWarning warns, with the rule behind it, that an enterprise's staff is too small for a
// single intern at the guild's quota; it is empty when the enterprise can host one. It is a
// warning, not a refusal: the staff size or the quota may still change before approval.
func QuotaWarning(t Texts, q placement.Quota) string {
	if q.Interns > 0 {
		return ""
	}
	return t.T("enterprise.quota_zero", map[string]any{"Name": q.Enterprise, "Staff": q.Staff, "Percent": q.Percent,
		"MinStaff": q.MinStaff(), "Cmd": Markup(t.Slash("/setup/compliance"))})
}
