package stripeapi

import "testing"

func TestPlausibleID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"cus_123", true},
		{"pm_card_visa", true},
		{"txr_1Abc-Z.x", true},
		{"", false},
		{"search", false},
		{"SEARCH", false},
		{"upcoming", false},
		{"..", false},
		{"cus_X/", false},
		{"cus_X/sources", false},
		{"cus_X?expand[]=x", false},
		{"cus_X#frag", false},
		{"cus_%2F", false},
		{"cus X", false},
		{"cus_X\n", false},
		{"\tcus", false},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			if got := PlausibleID(tc.id); got != tc.want {
				t.Errorf("PlausibleID(%q) = %v, want %v", tc.id, got, tc.want)
			}
		})
	}
}
