package dtsmock

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

var knownCodes = map[string]bool{
	"AuthFailure.InvalidAuthorization": true, "AuthFailure.SecretIdNotFound": true,
	"AuthFailure.SignatureFailure": true, "AuthFailure.SignatureExpire": true,
	"AuthFailure.TokenFailure": true, "MissingParameter": true, "InvalidParameter": true,
	"InvalidParameterValue": true, "UnknownParameter": true, "UnsupportedOperation": true,
}

// FuzzVerify feeds arbitrary requests to the verifier: it must never panic, must answer with
// a known code, and must accept the same body when it is correctly signed.
func FuzzVerify(f *testing.F) {
	f.Add("POST", "127.0.0.1:8088", "", "TC3-HMAC-SHA256 Credential=AKIDdtsmockEXAMPLE/2024-05-01/dts/tc3_request, SignedHeaders=content-type;host, Signature=00", "application/json", `{"JobId":"dts-abcdefgh"}`)
	f.Add("GET", "dts.tencentcloudapi.com", "Action=DescribeMigrateJobs&Nonce=1&SecretId=AKIDdtsmockEXAMPLE&Signature=abc&Timestamp=1714557600&Version=2018-03-30&Region=ap-guangzhou", "", "", "")
	f.Add("POST", "h", "", "", "application/x-www-form-urlencoded", "Signature=x&SecretId=y&Nonce=-1&Timestamp=1")
	f.Add("PUT", "", "%zz", "TC3-HMAC-SHA256 ,,,", "", "\x00")
	f.Fuzz(func(t *testing.T, method, host, query, authz, ctype, body string) {
		now := time.Unix(1714557600, 0)
		v := newVerifier("dts", []Credential{{SecretID: DefaultSecretID, SecretKey: DefaultSecretKey}})
		h := http.Header{}
		h.Set("Content-Type", ctype)
		h.Set("X-TC-Timestamp", "1714557600")
		if authz != "" {
			h.Set("Authorization", authz)
		}
		res, ae := v.verify(&signedRequest{Method: method, Host: host, RawQuery: query, Header: h, Body: []byte(body)}, now)
		if res == nil {
			t.Fatal("nil result")
		}
		if ae != nil && !knownCodes[ae.Code] {
			t.Fatalf("unknown code %s", ae.Code)
		}
		if ae == nil {
			if res.SignMethod == "" || res.SecretID != DefaultSecretID {
				t.Fatalf("accepted without a method or key: %+v", res)
			}
			if res.isJSON {
				if _, ae := decodeParams("CreateMigrateJob", res); ae != nil && !knownCodes[ae.Code] {
					t.Fatalf("decode code %s", ae.Code)
				}
			}
		}
		if host != strings.TrimSpace(host) {
			// No HTTP request carries such a Host; canonical headers are trimmed.
			return
		}
		// The same body, correctly signed with TC3, is accepted.
		h2 := http.Header{}
		h2.Set("Content-Type", "application/json")
		h2.Set("X-TC-Timestamp", "1714557600")
		h2.Set("Authorization", tc3AuthHeader(DefaultSecretID, DefaultSecretKey, "dts", "POST", host, "", "application/json", []byte(body), 1714557600))
		if _, ae := v.verify(&signedRequest{Method: "POST", Host: host, Header: h2, Body: []byte(body)}, now); ae != nil {
			t.Fatalf("correct TC3 signature rejected: %v", ae)
		}
		// A correctly signed v1 GET with the fuzzed query value is accepted.
		p := map[string]string{"Action": "X", "Nonce": "1", "SecretId": DefaultSecretID, "Timestamp": strconv.Itoa(1714557600), "JobName": query}
		vals := url.Values{}
		for k, val := range p {
			vals.Set(k, val)
		}
		vals.Set("Signature", v1Signature(DefaultSecretKey, SignHmacSHA1, v1StringToSign("GET", host, p)))
		if _, ae := v.verify(&signedRequest{Method: "GET", Host: host, RawQuery: vals.Encode(), Header: http.Header{}}, now); ae != nil {
			t.Fatalf("correct v1 signature rejected: %v", ae)
		}
	})
}

// FuzzDecode feeds arbitrary parameters to the request decoder for every action: it must
// never panic and must answer with a known code.
func FuzzDecode(f *testing.F) {
	f.Add("CreateMigrateJob", "JobName=a&MigrateOption.RunMode=1&Tags.0.TagKey=k&SrcInfo.Port=1", `{"JobName":"a","MigrateOption":{"RunMode":1},"Tags":[{"TagKey":"k"}]}`)
	f.Add("DescribeMigrateJobs", "TagFilters.0.TagValue.1=x&TagFilters.0.TagValue.0=y&Limit=5", `{"TagFilters":[{"TagKey":"k","TagValue":["a",null]}],"Limit":1e3}`)
	f.Add("ModifyMigrateJob", "SrcInfo=x&SrcInfo.Ip=1&Tags.01.TagKey=a&..=1", `[1,2]`)
	f.Add("StartMigrateJob", "JobId.0=a", `{"JobId":{"x":1}} trailing`)
	f.Fuzz(func(t *testing.T, action, query, body string) {
		if _, ok := schemas[action]; !ok {
			action = "CreateMigrateJob"
		}
		q, err := url.ParseQuery(query)
		if err == nil {
			p, ae := decodeParams(action, &authResult{flat: q})
			if ae != nil && !knownCodes[ae.Code] {
				t.Fatalf("flat: unknown code %s", ae.Code)
			}
			if ae == nil {
				exercise(t, action, p)
			}
		}
		p, ae := decodeParams(action, &authResult{isJSON: true, jsonBody: []byte(body)})
		if ae != nil && !knownCodes[ae.Code] {
			t.Fatalf("json: unknown code %s", ae.Code)
		}
		if ae == nil {
			exercise(t, action, p)
		}
	})
}

// exercise runs the decoded parameters through the action handler on a fresh server.
func exercise(t *testing.T, action string, p params) {
	s, err := New(WithClock(NewManualClock(testStart)), WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SeedJob(Job{JobID: "dts-abcdefgh", DstRegion: "ap-shanghai"}); err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	actions[action](s, p, testStart)
}
