package dtsmock

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// NewSignedRequest builds a TC3-HMAC-SHA256 signed POST of action with the JSON body to
// baseURL ("http://HOST:PORT"), signed with cred at time now. It is for load generators and
// tests that drive the emulator without an SDK; the region is ap-guangzhou.
func NewSignedRequest(ctx context.Context, baseURL, action string, body []byte, cred Credential, now time.Time) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimSuffix(baseURL, "/")+"/", bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("building the %s request: %w", action, err)
	}
	const contentType = "application/json"
	ts := now.Unix()
	tss := strconv.FormatInt(ts, 10)
	date := time.Unix(ts, 0).UTC().Format("2006-01-02")
	scope := date + "/" + serviceName + "/tc3_request"
	headers := "content-type:" + contentType + "\nhost:" + strings.ToLower(req.URL.Host) + "\n"
	sts := tc3StringToSign(http.MethodPost, "", headers, "content-type;host", sha256Hex(body), tss, scope)
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("X-TC-Action", action)
	req.Header.Set("X-TC-Version", apiVersion)
	req.Header.Set("X-TC-Region", "ap-guangzhou")
	req.Header.Set("X-TC-Timestamp", tss)
	if cred.Token != "" {
		req.Header.Set("X-TC-Token", cred.Token)
	}
	req.Header.Set("Authorization", SignTC3+" Credential="+cred.SecretID+"/"+scope+
		", SignedHeaders=content-type;host, Signature="+tc3Signature(cred.SecretKey, date, serviceName, sts))
	return req, nil
}
