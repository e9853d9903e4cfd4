package dtsmock

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	goldenID  = "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE"
	goldenKey = "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE"
)

func TestV1GoldenVectors(t *testing.T) {
	params := map[string]string{
		"Action": "DescribeInstances", "InstanceIds.0": "ins-09dx96dg", "Limit": "20", "Nonce": "11886",
		"Offset": "0", "Region": "ap-guangzhou", "SecretId": goldenID, "Timestamp": "1465185768", "Version": "2017-03-12",
	}
	wantString := "GETcvm.tencentcloudapi.com/?Action=DescribeInstances&InstanceIds.0=ins-09dx96dg&Limit=20&Nonce=11886&Offset=0&Region=ap-guangzhou&SecretId=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE&Timestamp=1465185768&Version=2017-03-12"
	if got := v1StringToSign("GET", "cvm.tencentcloudapi.com", params); got != wantString {
		t.Fatalf("string to sign:\n got %s\nwant %s", got, wantString)
	}
	for _, tc := range []struct{ method, sign, want string }{
		{"GET", SignHmacSHA1, "EliP9YW3pW28FpsEdkXt/+WcGeI="},
		{"POST", SignHmacSHA1, "/4JqpPkM1WMS/I5IvWzp5mqoqWY="},
		{"GET", SignHmacSHA256, "bR/zQ3QqOmcEYeRv71IzG/NxfisUDgy9cqRMQC+UB5g="},
		{"GET", "", "EliP9YW3pW28FpsEdkXt/+WcGeI="},
	} {
		if got := v1Signature(goldenKey, tc.sign, v1StringToSign(tc.method, "cvm.tencentcloudapi.com", params)); got != tc.want {
			t.Errorf("%s %s: got %s, want %s", tc.method, tc.sign, got, tc.want)
		}
	}

	// The full verifier accepts the golden request at its own time.
	v := newVerifier("cvm", []Credential{{SecretID: goldenID, SecretKey: goldenKey}})
	q := url.Values{}
	for k, val := range params {
		q.Set(k, val)
	}
	q.Set("Signature", "EliP9YW3pW28FpsEdkXt/+WcGeI=")
	res, ae := v.verify(&signedRequest{Method: "GET", Host: "cvm.tencentcloudapi.com", RawQuery: q.Encode(), Header: http.Header{}}, time.Unix(1465185768, 0))
	if ae != nil {
		t.Fatalf("golden v1 request rejected: %v", ae)
	}
	if res.SignMethod != SignHmacSHA1 || res.flat.Get("InstanceIds.0") != "ins-09dx96dg" || res.flat.Has("Nonce") {
		t.Fatalf("unexpected result %+v", res)
	}
}

func TestTC3GoldenVectors(t *testing.T) {
	post := `{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}`
	tests := []struct {
		name, method, query, ct, body, want string
		ts                                  int64
	}{
		{"POST", "POST", "", "application/json; charset=utf-8", post, "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168", 1551113065},
		{"GET", "GET", "Limit=10&Offset=0", "application/x-www-form-urlencoded", "", "5da7a33f6993f0614b047e5df4582db9e9bf4672ba50567dba16c6ccf174c474", 1539084154},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			date := time.Unix(tc.ts, 0).UTC().Format("2006-01-02")
			scope := date + "/cvm/tc3_request"
			sts := tc3StringToSign(tc.method, tc.query, "content-type:"+tc.ct+"\nhost:cvm.tencentcloudapi.com\n", "content-type;host", sha256Hex([]byte(tc.body)), strconv.FormatInt(tc.ts, 10), scope)
			if got := tc3Signature(goldenKey, date, "cvm", sts); got != tc.want {
				t.Fatalf("signature %s, want %s", got, tc.want)
			}
			h := http.Header{}
			h.Set("Content-Type", tc.ct)
			h.Set("X-TC-Timestamp", strconv.FormatInt(tc.ts, 10))
			h.Set("Authorization", "TC3-HMAC-SHA256 Credential="+goldenID+"/"+scope+", SignedHeaders=content-type;host, Signature="+tc.want)
			v := newVerifier("cvm", []Credential{{SecretID: goldenID, SecretKey: goldenKey}})
			req := &signedRequest{Method: tc.method, Host: "cvm.tencentcloudapi.com", RawQuery: tc.query, Header: h, Body: []byte(tc.body)}
			if _, ae := v.verify(req, time.Unix(tc.ts, 0)); ae != nil {
				t.Fatalf("golden request rejected: %v", ae)
			}
			// The same request is rejected by a verifier for another service.
			if _, ae := newVerifier("dts", []Credential{{SecretID: goldenID, SecretKey: goldenKey}}).verify(req, time.Unix(tc.ts, 0)); ae == nil || ae.Code != "AuthFailure.SignatureFailure" {
				t.Fatalf("service mismatch: got %v", ae)
			}
		})
	}
}

// TestForgedTC3 sends forged TC3 requests of each kind to a live server.
func TestForgedTC3(t *testing.T) {
	clock := NewManualClock(testStart)
	ts := StartTest(t, WithClock(clock), WithCredentials(
		Credential{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey},
		Credential{SecretID: "AKIDtemp", SecretKey: "tempKey", Token: "tok-123"},
	))
	c := newClient(t, ts, clock)
	body := []byte(`{}`)
	now := clock.Now().Unix()
	good := func() *http.Request { return c.tc3Request("DescribeMigrateJobs", body) }
	c.do(good()) // sanity: a good request passes.

	cases := []struct {
		name   string
		mutate func(r *http.Request)
		want   string
	}{
		{"no authorization", func(r *http.Request) { r.Header.Del("Authorization") }, "AuthFailure.InvalidAuthorization"},
		{"garbage authorization", func(r *http.Request) { r.Header.Set("Authorization", "Bearer xyz") }, "AuthFailure.InvalidAuthorization"},
		{"missing signed headers", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "SignedHeaders=content-type;host", "SignedHeaders=host", 1))
		}, "AuthFailure.InvalidAuthorization"},
		{"short signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			r.Header.Set("Authorization", a[:len(a)-2])
		}, "AuthFailure.InvalidAuthorization"},
		{"unknown secret id", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), DefaultSecretID, "AKIDunknown", 1))
		}, "AuthFailure.SecretIdNotFound"},
		{"bad signature", func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			repl := byte('0')
			if last == '0' {
				repl = '1'
			}
			r.Header.Set("Authorization", a[:len(a)-1]+string(repl))
		}, "AuthFailure.SignatureFailure"},
		{"tampered body", func(r *http.Request) {
			r.Body = http.NoBody
			r.ContentLength = 0
		}, "AuthFailure.SignatureFailure"},
		{"tampered action", func(r *http.Request) { r.Header.Set("X-TC-Timestamp", strconv.FormatInt(now+1, 10)) }, "AuthFailure.SignatureFailure"},
		{"wrong host", func(r *http.Request) { r.Host = "dts.tencentcloudapi.com" }, "AuthFailure.SignatureFailure"},
		{"wrong scope date", func(r *http.Request) {
			d := time.Unix(now, 0).UTC().Format("2006-01-02")
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), d, "2001-01-01", 1))
		}, "AuthFailure.SignatureFailure"},
		{"wrong scope service", func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "/dts/", "/cvm/", 1))
		}, "AuthFailure.SignatureFailure"},
		{"token with long-term key", func(r *http.Request) { r.Header.Set("X-TC-Token", "tok") }, "AuthFailure.TokenFailure"},
		{"missing timestamp", func(r *http.Request) { r.Header.Del("X-TC-Timestamp") }, "MissingParameter"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := good()
			tc.mutate(r)
			if got := errCode(c.do(r)); got != tc.want {
				t.Fatalf("got %q, want %q (%s)", got, tc.want, c.lastBody)
			}
		})
	}

	t.Run("expired both directions", func(t *testing.T) {
		for _, d := range []time.Duration{301 * time.Second, -301 * time.Second} {
			r := good()
			clock.Advance(d)
			got := errCode(c.do(r))
			clock.Advance(-d)
			if got != "AuthFailure.SignatureExpire" {
				t.Fatalf("offset %v: got %q", d, got)
			}
		}
		r := good()
		clock.Advance(299 * time.Second)
		got := errCode(c.do(r))
		clock.Advance(-299 * time.Second)
		if got != "" {
			t.Fatalf("within window: got %q", got)
		}
	})

	t.Run("temporary key", func(t *testing.T) {
		tc := newClient(t, ts, clock)
		tc.id, tc.key = "AKIDtemp", "tempKey"
		if got := errCode(tc.call("DescribeMigrateJobs", map[string]any{})); got != "AuthFailure.TokenFailure" {
			t.Fatalf("missing token: got %q", got)
		}
		tc.token = "wrong"
		if got := errCode(tc.call("DescribeMigrateJobs", map[string]any{})); got != "AuthFailure.TokenFailure" {
			t.Fatalf("wrong token: got %q", got)
		}
		tc.token = "tok-123"
		if got := errCode(tc.call("DescribeMigrateJobs", map[string]any{})); got != "" {
			t.Fatalf("right token: got %q", got)
		}
	})

	t.Run("unsigned payload and extra signed header", func(t *testing.T) {
		ts64 := clock.Now().Unix()
		req, err := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(`{"Limit":1}`))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-TC-Action", "DescribeMigrateJobs")
		req.Header.Set("X-TC-Version", apiVersion)
		req.Header.Set("X-TC-Region", "ap-guangzhou")
		req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts64, 10))
		req.Header.Set("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD")
		date := time.Unix(ts64, 0).UTC().Format("2006-01-02")
		scope := date + "/dts/tc3_request"
		ch := "content-type:application/json\nhost:" + ts.Endpoint + "\nx-tc-action:describemigratejobs\n"
		sum := sha256.Sum256([]byte("UNSIGNED-PAYLOAD"))
		sts := tc3StringToSign("POST", "", ch, "content-type;host;x-tc-action", hex.EncodeToString(sum[:]), strconv.FormatInt(ts64, 10), scope)
		req.Header.Set("Authorization", "TC3-HMAC-SHA256 Credential="+DefaultSecretID+"/"+scope+", SignedHeaders=content-type;host;x-tc-action, Signature="+tc3Signature(DefaultSecretKey, date, "dts", sts))
		if got := errCode(c.do(req)); got != "" {
			t.Fatalf("got %q (%s)", got, c.lastBody)
		}
	})
}

// TestForgedV1 sends forged v1 requests of each kind.
func TestForgedV1(t *testing.T) {
	clock := NewManualClock(testStart)
	ts := StartTest(t, WithClock(clock))
	c := newClient(t, ts, clock)
	send := func(method string, vals url.Values) map[string]any {
		var req *http.Request
		var err error
		if method == http.MethodGet {
			req, err = http.NewRequest(method, ts.URL+"/?"+vals.Encode(), nil)
		} else {
			req, err = http.NewRequest(method, ts.URL+"/", strings.NewReader(vals.Encode()))
			if err == nil {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		return c.do(req)
	}
	for _, method := range []string{http.MethodGet, http.MethodPost} {
		for _, sm := range []string{SignHmacSHA1, SignHmacSHA256} {
			t.Run(method+sm, func(t *testing.T) {
				good := func() url.Values {
					return c.v1Values(method, "DescribeMigrateJobs", sm, map[string]string{"Limit": "5"})
				}
				if got := errCode(send(method, good())); got != "" {
					t.Fatalf("good request: %q %s", got, c.lastBody)
				}
				cases := []struct {
					name   string
					mutate func(v url.Values)
					want   string
				}{
					{"no signature", func(v url.Values) { v.Del("Signature") }, "AuthFailure.InvalidAuthorization"},
					{"bad signature", func(v url.Values) { v.Set("Signature", "AAAA"+v.Get("Signature")[4:]) }, "AuthFailure.SignatureFailure"},
					{"tampered param", func(v url.Values) { v.Set("Limit", "6") }, "AuthFailure.SignatureFailure"},
					{"other method", func(v url.Values) {
						if v.Get("SignatureMethod") == SignHmacSHA256 {
							v.Set("SignatureMethod", SignHmacSHA1)
						} else {
							v.Set("SignatureMethod", SignHmacSHA256)
						}
					}, "AuthFailure.SignatureFailure"},
					{"unknown secret id", func(v url.Values) { v.Set("SecretId", "AKIDnobody") }, "AuthFailure.SecretIdNotFound"},
					{"missing nonce", func(v url.Values) { v.Del("Nonce") }, "MissingParameter"},
					{"negative nonce", func(v url.Values) { v.Set("Nonce", "-1") }, "InvalidParameterValue"},
					{"token with long-term key", func(v url.Values) { v.Set("Token", "x") }, "AuthFailure.SignatureFailure"},
				}
				for _, tc := range cases {
					v := good()
					tc.mutate(v)
					if got := errCode(send(method, v)); got != tc.want {
						t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
					}
				}
				// The token is checked after the signature: a correctly signed token still fails.
				v := c.v1Values(method, "DescribeMigrateJobs", sm, map[string]string{"Token": "x"})
				if got := errCode(send(method, v)); got != "AuthFailure.TokenFailure" {
					t.Errorf("signed token: got %q", got)
				}
				for _, d := range []time.Duration{-301 * time.Second, 301 * time.Second} {
					v := good()
					clock.Advance(d)
					got := errCode(send(method, v))
					clock.Advance(-d)
					if got != "AuthFailure.SignatureExpire" {
						t.Errorf("offset %v: got %q", d, got)
					}
				}
				// A repeated nonce is accepted (the SDKs resend identical requests on retry).
				v = good()
				for range 2 {
					if got := errCode(send(method, v)); got != "" {
						t.Errorf("repeated nonce: got %q", got)
					}
				}
				// Nonce 0 is accepted.
				v = c.v1Values(method, "DescribeMigrateJobs", sm, map[string]string{"Nonce": "0"})
				if got := errCode(send(method, v)); got != "" {
					t.Errorf("nonce 0: got %q", got)
				}
			})
		}
	}

	t.Run("signature without empty values", func(t *testing.T) {
		p := map[string]string{
			"Action": "DescribeMigrateJobs", "Version": apiVersion, "Region": "ap-guangzhou", "SecretId": DefaultSecretID,
			"Timestamp": strconv.FormatInt(clock.Now().Unix(), 10), "Nonce": "7", "Language": "", "JobName": "",
		}
		signed := map[string]string{}
		for k, v := range p {
			if v != "" {
				signed[k] = v
			}
		}
		vals := url.Values{}
		for k, v := range p {
			vals.Set(k, v)
		}
		vals.Set("Signature", v1Signature(DefaultSecretKey, SignHmacSHA1, v1StringToSign("GET", ts.Endpoint, signed)))
		if got := errCode(send(http.MethodGet, vals)); got != "" {
			t.Fatalf("got %q (%s)", got, c.lastBody)
		}
	})
}

// TestCommonParameters checks the order of checks after authentication.
func TestCommonParameters(t *testing.T) {
	clock := NewManualClock(testStart)
	ts := StartTest(t, WithClock(clock))
	c := newClient(t, ts, clock)
	c.wantCode("NoSuchAction", map[string]any{}, "InvalidAction")
	c.version = "2017-01-01"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "NoSuchVersion")
	c.version = ""
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "MissingParameter")
	c.version = apiVersion
	c.region = ""
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "MissingParameter")
	c.region = "mars-north-1"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "UnsupportedRegion")
	c.region = "ap-shenzhen-fsi"
	c.wantCode("DescribeMigrateJobs", map[string]any{}, "")
	// RequestClient and Language are never business parameters.
	c.wantCode("DescribeMigrateJobs", map[string]any{"RequestClient": "x", "Language": "en-US"}, "")
	v := c.v1Values(http.MethodGet, "DescribeMigrateJobs", SignHmacSHA256, map[string]string{"RequestClient": "SDK_GO", "Language": ""})
	req, err := http.NewRequest(http.MethodGet, ts.URL+"/?"+v.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := errCode(c.do(req)); got != "" {
		t.Fatalf("v1 with RequestClient/Language: %q", got)
	}
}

func TestNewSignedRequest(t *testing.T) {
	clock := NewManualClock(testStart)
	ts := StartTest(t, WithClock(clock), WithRateLimit(false), WithCredentials(Credential{SecretID: "AKIDtmp", SecretKey: "tmpKey", Token: "tok"}))
	c := newClient(t, ts, clock)
	req, err := NewSignedRequest(context.Background(), ts.URL, "DescribeMigrateJobs", []byte(`{"Limit":5}`), Credential{SecretID: "AKIDtmp", SecretKey: "tmpKey", Token: "tok"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code := errCode(c.do(req)); code != "" {
		t.Fatalf("signed request answered %s", code)
	}
	req, err = NewSignedRequest(context.Background(), ts.URL, "DescribeMigrateJobs", []byte(`{}`), Credential{SecretID: "AKIDtmp", SecretKey: "wrong", Token: "tok"}, clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if code := errCode(c.do(req)); code != "AuthFailure.SignatureFailure" {
		t.Fatalf("wrongly signed request answered %q", code)
	}
}
