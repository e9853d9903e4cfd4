package dtsmock

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// testStart is a fixed instant for tests that never talk to the SDK.
var testStart = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

// apiClient signs requests itself, with timestamps from the emulator's clock.
type apiClient struct {
	t        testing.TB
	ts       *TestServer
	clock    Clock
	id, key  string
	token    string
	region   string
	version  string
	httpC    *http.Client
	lastBody []byte
}

func newClient(t testing.TB, ts *TestServer, clock Clock) *apiClient {
	return &apiClient{t: t, ts: ts, clock: clock, id: DefaultSecretID, key: DefaultSecretKey, region: "ap-guangzhou", version: apiVersion, httpC: &http.Client{}}
}

// tc3Request builds a signed TC3 POST request.
func (c *apiClient) tc3Request(action string, body []byte) *http.Request {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.ts.URL+"/", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	ts := c.clock.Now().Unix()
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TC-Action", action)
	if c.version != "" {
		req.Header.Set("X-TC-Version", c.version)
	}
	if c.region != "" {
		req.Header.Set("X-TC-Region", c.region)
	}
	req.Header.Set("X-TC-Timestamp", strconv.FormatInt(ts, 10))
	if c.token != "" {
		req.Header.Set("X-TC-Token", c.token)
	}
	req.Header.Set("Authorization", tc3AuthHeader(c.id, c.key, serviceName, http.MethodPost, c.ts.Endpoint, "", "application/json", body, ts))
	return req
}

func tc3AuthHeader(id, key, service, method, host, query, contentType string, body []byte, ts int64) string {
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	scope := date + "/" + service + "/tc3_request"
	ch := "content-type:" + contentType + "\nhost:" + host + "\n"
	sts := tc3StringToSign(method, query, ch, "content-type;host", sha256Hex(body), strconv.FormatInt(ts, 10), scope)
	sig := tc3Signature(key, date, service, sts)
	return SignTC3 + " Credential=" + id + "/" + scope + ", SignedHeaders=content-type;host, Signature=" + sig
}

// v1Values returns signed v1 parameters for a request to the test server.
func (c *apiClient) v1Values(method, action, signMethod string, business map[string]string) url.Values {
	p := map[string]string{
		"Action": action, "Version": c.version, "Region": c.region, "SecretId": c.id,
		"Timestamp": strconv.FormatInt(c.clock.Now().Unix(), 10), "Nonce": "12345",
	}
	if signMethod != "" {
		p["SignatureMethod"] = signMethod
	}
	for k, v := range business {
		p[k] = v
	}
	sig := v1Signature(c.key, signMethod, v1StringToSign(method, c.ts.Endpoint, p))
	vals := url.Values{}
	for k, v := range p {
		vals.Set(k, v)
	}
	vals.Set("Signature", sig)
	return vals
}

func (c *apiClient) do(req *http.Request) map[string]any {
	c.t.Helper()
	resp, err := c.httpC.Do(req)
	if err != nil {
		c.t.Fatalf("request failed: %v", err)
	}
	defer func() {
		if err := resp.Body.Close(); err != nil {
			c.t.Errorf("closing body: %v", err)
		}
	}()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.lastBody = b
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("HTTP %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
		c.t.Fatalf("Content-Type %q", ct)
	}
	var env struct {
		Response map[string]any
	}
	if err := json.Unmarshal(b, &env); err != nil {
		c.t.Fatalf("decoding %s: %v", b, err)
	}
	if id, _ := env.Response["RequestId"].(string); len(id) != 36 {
		c.t.Fatalf("bad RequestId in %s", b)
	}
	return env.Response
}

// call sends a TC3 POST with a JSON body and returns the Response object.
func (c *apiClient) call(action string, body any) map[string]any {
	c.t.Helper()
	b, err := json.Marshal(body)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.do(c.tc3Request(action, b))
}

// raw sends a TC3 POST with the given raw body.
func (c *apiClient) raw(action, body string) map[string]any {
	c.t.Helper()
	return c.do(c.tc3Request(action, []byte(body)))
}

func errCode(resp map[string]any) string {
	e, ok := resp["Error"].(map[string]any)
	if !ok {
		return ""
	}
	code, _ := e["Code"].(string)
	return code
}

// mustOK calls action and fails the test on an error answer.
func (c *apiClient) mustOK(action string, body any) map[string]any {
	c.t.Helper()
	r := c.call(action, body)
	if code := errCode(r); code != "" {
		c.t.Fatalf("%s: unexpected error %s: %v", action, code, r["Error"])
	}
	return r
}

// wantCode calls action and checks the error code ("" for success).
func (c *apiClient) wantCode(action string, body any, want string) {
	c.t.Helper()
	r := c.call(action, body)
	if got := errCode(r); got != want {
		c.t.Fatalf("%s %v: got code %q (%v), want %q", action, body, got, r["Error"], want)
	}
}

// baseCreate returns a valid CreateMigrateJob body.
func baseCreate(name string) map[string]any {
	return map[string]any{
		"JobName":         name,
		"MigrateOption":   map[string]any{"RunMode": 1, "MigrateType": 2, "MigrateObject": 1, "ConsistencyType": 1, "IsOverrideRoot": 0},
		"SrcDatabaseType": "mysql",
		"SrcAccessType":   "extranet",
		"SrcInfo":         map[string]any{"Ip": "10.0.0.1", "Port": 3306, "User": "root", "Password": "srcSecretPW1", "AccessKey": "srcAccessKEY1"},
		"DstDatabaseType": "mysql",
		"DstAccessType":   "cdb",
		"DstInfo":         map[string]any{"InstanceId": "cdb-abc12345", "Region": "ap-shanghai", "User": "admin", "Password": "dstSecretPW1"},
	}
}

// create creates a job from body and returns its ID.
func (c *apiClient) create(body map[string]any) string {
	c.t.Helper()
	r := c.mustOK("CreateMigrateJob", body)
	id, _ := r["JobId"].(string)
	if !validJobID(id) {
		c.t.Fatalf("bad JobId %q", id)
	}
	return id
}

// describe returns the one listed job with id.
func (c *apiClient) describe(id string) map[string]any {
	c.t.Helper()
	r := c.mustOK("DescribeMigrateJobs", map[string]any{"JobId": id})
	list, _ := r["JobList"].([]any)
	if len(list) != 1 {
		c.t.Fatalf("DescribeMigrateJobs %s: %d jobs", id, len(list))
	}
	j, _ := list[0].(map[string]any)
	return j
}

func (c *apiClient) status(id string) int {
	c.t.Helper()
	st, _ := c.describe(id)["Status"].(float64)
	return int(st)
}

func jobID(id string) map[string]any { return map[string]any{"JobId": id} }

func withOption(body map[string]any, mutate func(mo map[string]any)) map[string]any {
	mo, _ := body["MigrateOption"].(map[string]any)
	mutate(mo)
	return body
}

// The accessors below read decoded JSON; a value of the wrong type reads as zero, so the
// test's comparison fails instead of the test panicking.

func num(v any) float64 {
	f, _ := v.(float64)
	return f
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

func obj(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func arr(v any) []any {
	a, _ := v.([]any)
	return a
}
