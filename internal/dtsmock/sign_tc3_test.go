package dtsmock

import (
	"encoding/hex"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseTC3AuthorizationPlain is the Authorization parser written plainly, with maps and
// splits, as the reference the allocation-free one must agree with.
func parseTC3AuthorizationPlain(h string) (tc3Authorization, bool) {
	var a tc3Authorization
	rest, ok := strings.CutPrefix(h, SignTC3+" ")
	if !ok {
		return a, false
	}
	seen := map[string]string{}
	for _, part := range strings.Split(rest, ",") {
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		if _, dup := seen[k]; dup {
			return a, false
		}
		seen[k] = val
	}
	cred, sh, sig := seen["Credential"], seen["SignedHeaders"], seen["Signature"]
	if len(seen) != 3 || cred == "" || sh == "" || sig == "" {
		return a, false
	}
	parts := strings.Split(cred, "/")
	if len(parts) != 4 || parts[0] == "" {
		return a, false
	}
	a.SecretID, a.Date, a.Service, a.Terminator = parts[0], parts[1], parts[2], parts[3]
	a.SignedHeaders = strings.Split(sh, ";")
	a.signedHeaders = sh
	hasCT, hasHost := false, false
	for i, name := range a.SignedHeaders {
		if name == "" || name != strings.ToLower(name) || (i > 0 && a.SignedHeaders[i-1] >= name) {
			return a, false
		}
		hasCT = hasCT || name == "content-type"
		hasHost = hasHost || name == "host"
	}
	if !hasCT || !hasHost {
		return a, false
	}
	if _, err := hex.DecodeString(sig); err != nil || len(sig) != 64 {
		return a, false
	}
	a.Signature = sig
	return a, true
}

func TestParseTC3AuthorizationAgreesWithPlainParser(t *testing.T) {
	sig := strings.Repeat("ab", 32)
	good := "TC3-HMAC-SHA256 Credential=AKID/2024-05-01/dts/tc3_request, SignedHeaders=content-type;host, Signature=" + sig
	inputs := []string{
		good,
		strings.ReplaceAll(good, ", ", ","),
		"TC3-HMAC-SHA256 Signature=" + sig + ", SignedHeaders=content-type;host, Credential=AKID/2024-05-01/dts/tc3_request",
		good + ",",
		good + ", Extra=1",
		good + ", Signature=" + sig,
		strings.Replace(good, "Credential=", "Credential", 1),
		strings.Replace(good, "AKID/", "", 1),
		strings.Replace(good, "AKID/", "/", 1),
		strings.Replace(good, "tc3_request", "tc3_request/x", 1),
		strings.Replace(good, "AKID/2024-05-01/dts/tc3_request", "AKID///", 1),
		strings.Replace(good, "AKID/2024-05-01/dts/tc3_request", "", 1),
		strings.Replace(good, "content-type;host", "host", 1),
		strings.Replace(good, "content-type;host", "host;content-type", 1),
		strings.Replace(good, "content-type;host", "Content-Type;host", 1),
		strings.Replace(good, "content-type;host", "content-type;;host", 1),
		strings.Replace(good, "content-type;host", "content-type;host;x-tc-action", 1),
		strings.Replace(good, sig, strings.ToUpper(sig), 1),
		strings.Replace(good, sig, sig[:63]+"g", 1),
		strings.Replace(good, sig, sig[:62], 1),
		strings.Replace(good, sig, "", 1),
		"TC3-HMAC-SHA256 ",
		"TC3-HMAC-SHA256",
		"Bearer x",
		"",
		" TC3-HMAC-SHA256 " + good[len("TC3-HMAC-SHA256 "):],
		"TC3-HMAC-SHA256  Credential=AKID/2024-05-01/dts/tc3_request ,SignedHeaders=content-type;host , Signature=" + sig + " ",
	}
	for _, in := range inputs {
		got, gotOK := parseTC3Authorization(in)
		want, wantOK := parseTC3AuthorizationPlain(in)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %v %+v\nwant %v %+v", in, gotOK, got, wantOK, want)
		}
	}
}

// TestHeaderKeysAreCanonical checks the keys the verifier looks headers up by: a key that is
// not in net/http's canonical form would find nothing.
func TestHeaderKeysAreCanonical(t *testing.T) {
	keys := []string{hdrAuthorization, hdrContentType, hdrAction, hdrVersion, hdrRegion, hdrTimestamp, hdrToken, hdrContentSHA256}
	for name, k := range signedHeaderKeys {
		keys = append(keys, k)
		if !strings.EqualFold(name, k) {
			t.Errorf("signed header %s maps to %s", name, k)
		}
	}
	for _, k := range keys {
		if c := http.CanonicalHeaderKey(k); c != k {
			t.Errorf("%s is not canonical (%s)", k, c)
		}
	}
}

// TestTC3MixedCaseHeaders checks both forms of a signed header value with upper-case letters:
// lower-cased, as the vendor's rule says, and as sent, as the SDKs sign it; and that a
// signature over other bytes fails either way.
func TestTC3MixedCaseHeaders(t *testing.T) {
	const ct = "Application/JSON; Charset=UTF-8"
	now := testStart
	ts := strconv.FormatInt(now.Unix(), 10)
	date := now.UTC().Format(dateLayout)
	scope := date + "/dts/tc3_request"
	body := []byte(`{"Limit":1}`)
	v := newVerifier("dts", []Credential{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}})
	for _, tc := range []struct {
		name, signedCT string
		ok             bool
	}{
		{"lower-cased", strings.ToLower(ct), true},
		{"as sent", ct, true},
		{"other bytes", "application/json; charset=utf-16", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sts := tc3StringToSign(http.MethodPost, "", "content-type:"+tc.signedCT+"\nhost:dts.example\n", "content-type;host", sha256Hex(body), ts, scope)
			h := http.Header{}
			h.Set("Content-Type", ct)
			h.Set("X-TC-Timestamp", ts)
			h.Set("Authorization", SignTC3+" Credential="+DefaultSecretID+"/"+scope+", SignedHeaders=content-type;host, Signature="+tc3Signature(DefaultSecretKey, date, "dts", sts))
			// Twice: the second verification uses the signing key the first one derived.
			for range 2 {
				_, ae := v.verify(&signedRequest{Method: http.MethodPost, Host: "dts.example", Header: h, Body: body}, now.Add(time.Second))
				if tc.ok && ae != nil {
					t.Fatalf("rejected: %v", ae)
				}
				if !tc.ok && (ae == nil || ae.Code != "AuthFailure.SignatureFailure") {
					t.Fatalf("got %v, want AuthFailure.SignatureFailure", ae)
				}
			}
		})
	}
}

// FuzzParseTC3Authorization compares the parser with the plain one on any header.
func FuzzParseTC3Authorization(f *testing.F) {
	f.Add("TC3-HMAC-SHA256 Credential=AKID/2024-05-01/dts/tc3_request, SignedHeaders=content-type;host, Signature=" + strings.Repeat("0f", 32))
	f.Add("TC3-HMAC-SHA256 Signature=x,Signature=y")
	f.Fuzz(func(t *testing.T, in string) {
		got, gotOK := parseTC3Authorization(in)
		want, wantOK := parseTC3AuthorizationPlain(in)
		if gotOK != wantOK || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n got %v %+v\nwant %v %+v", in, gotOK, got, wantOK, want)
		}
	})
}
