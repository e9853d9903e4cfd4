package dtsapi

import "testing"

func TestParseEndpointRejects(t *testing.T) {
	for _, in := range []string{"ftp://host", "http://", "http://host/path", "http://user@host", "https://host?x=1"} {
		if _, _, err := ParseEndpoint(in); err == nil {
			t.Errorf("ParseEndpoint(%q) accepted it", in)
		}
	}
}
