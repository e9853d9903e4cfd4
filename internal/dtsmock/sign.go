package dtsmock

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Signature method names as they appear in requests and in the journal.
const (
	SignTC3        = "TC3-HMAC-SHA256"
	SignHmacSHA256 = "HmacSHA256"
	SignHmacSHA1   = "HmacSHA1"
)

const (
	serviceName     = "dts"
	timestampWindow = 300 * time.Second
	unsignedPayload = "UNSIGNED-PAYLOAD"
)

// v1CommonParams are the common parameters of a v1 request; everything else is a business
// parameter.
var v1CommonParams = map[string]bool{
	"Action": true, "Version": true, "Region": true, "Timestamp": true, "Nonce": true,
	"SecretId": true, "Signature": true, "SignatureMethod": true, "Token": true,
	"RequestClient": true, "Language": true,
}

// signedRequest is what the verifier needs from an HTTP request.
type signedRequest struct {
	Method   string
	Host     string
	RawQuery string
	Header   http.Header
	Body     []byte
}

// authResult is what the verifier learned; it is filled as far as verification got, so the
// journal can record the action and method of a rejected request.
type authResult struct {
	SignMethod string
	SecretID   string
	Action     string
	Version    string
	Region     string
	hasRegion  bool
	hasVersion bool
	// flat holds the business parameters of a v1 request or a TC3 GET query.
	flat url.Values
	// jsonBody is set for a TC3 POST.
	jsonBody []byte
	isJSON   bool
}

// verifier checks signatures against a set of credentials for one service.
type verifier struct {
	service string
	creds   map[string]Credential

	// keys holds the TC3 signing keys derived so far; see signingKey.
	mu   sync.Mutex
	keys map[signingKeyID]*signingKey
}

func newVerifier(service string, creds []Credential) *verifier {
	v := &verifier{service: service, creds: make(map[string]Credential, len(creds)), keys: map[signingKeyID]*signingKey{}}
	for _, c := range creds {
		v.creds[c.SecretID] = c
	}
	return v
}

func hmacSHA256(key []byte, msg string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// tc3Signature derives the TC3 signing key for date and service and signs stringToSign.
func tc3Signature(secretKey, date, service, stringToSign string) string {
	kDate := hmacSHA256([]byte("TC3"+secretKey), date)
	kService := hmacSHA256(kDate, service)
	kSigning := hmacSHA256(kService, "tc3_request")
	return hex.EncodeToString(hmacSHA256(kSigning, stringToSign))
}

// tc3StringToSign builds the canonical request and the string to sign.
func tc3StringToSign(method, rawQuery, canonicalHeaders, signedHeaders, payloadHash, timestamp, scope string) string {
	canonical := method + "\n/\n" + rawQuery + "\n" + canonicalHeaders + "\n" + signedHeaders + "\n" + payloadHash
	return SignTC3 + "\n" + timestamp + "\n" + scope + "\n" + sha256Hex([]byte(canonical))
}

// v1StringToSign builds METHOD + host + "/?" + the sorted, raw name=value pairs.
func v1StringToSign(method, host string, params map[string]string) string {
	keys := make([]string, 0, len(params))
	for k := range params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	b.WriteString(strings.ToUpper(method))
	b.WriteString(host)
	b.WriteString("/?")
	for i, k := range keys {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(params[k])
	}
	return b.String()
}

// v1Signature signs s with SHA-256 when method is HmacSHA256 and with SHA-1 otherwise.
func v1Signature(secretKey, method, s string) string {
	h := sha1.New
	if method == SignHmacSHA256 {
		h = sha256.New
	}
	m := hmac.New(h, []byte(secretKey))
	m.Write([]byte(s))
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

func isFormContentType(ct string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/x-www-form-urlencoded")
}

func isJSONContentType(ct string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(ct)), "application/json")
}

// peekAction finds the action of a request before verification, for the journal.
func peekAction(req *signedRequest) string {
	if a := header(req.Header, hdrAction); a != "" {
		return a
	}
	if q, err := url.ParseQuery(req.RawQuery); err == nil && q.Get("Action") != "" {
		return q.Get("Action")
	}
	if req.Method == http.MethodPost && isFormContentType(req.Header.Get("Content-Type")) {
		if f, err := url.ParseQuery(string(req.Body)); err == nil {
			return f.Get("Action")
		}
	}
	return ""
}

// verify authenticates req at server time now. It returns the partial result even on error.
func (v *verifier) verify(req *signedRequest, now time.Time) (*authResult, *apiError) {
	res := &authResult{Action: peekAction(req)}
	if req.Method != http.MethodGet && req.Method != http.MethodPost {
		return res, newError("UnsupportedOperation", "HTTP method %s is not supported; use GET or POST.", req.Method)
	}
	if authz := header(req.Header, hdrAuthorization); authz != "" {
		return v.verifyTC3(req, authz, now, res)
	}
	var params url.Values
	var err error
	switch {
	case req.Method == http.MethodGet:
		params, err = url.ParseQuery(req.RawQuery)
	case isFormContentType(req.Header.Get("Content-Type")):
		params, err = url.ParseQuery(string(req.Body))
	}
	if err != nil {
		return res, newError("InvalidParameter", "The request parameters are not correctly URL-encoded.")
	}
	if params.Get("Signature") == "" {
		return res, newError("AuthFailure.InvalidAuthorization", "The request carries neither an Authorization header nor a Signature parameter.")
	}
	return v.verifyV1(req, params, now, res)
}

func (v *verifier) checkTimestamp(ts string, now time.Time) *apiError {
	n, ae := v.checkTimestampPresence(ts)
	if ae != nil {
		return ae
	}
	d := now.Sub(time.Unix(n, 0))
	if d > timestampWindow || d < -timestampWindow {
		return newError("AuthFailure.SignatureExpire", "The signature expired: the request timestamp %d differs from the server time by more than 300 seconds.", n)
	}
	return nil
}

func (v *verifier) checkToken(cred Credential, token string) *apiError {
	if cred.Token == "" && token != "" {
		return newError("AuthFailure.TokenFailure", "A token was sent with a long-term key.")
	}
	if cred.Token != "" && subtle.ConstantTimeCompare([]byte(cred.Token), []byte(token)) != 1 {
		return newError("AuthFailure.TokenFailure", "The token is missing or does not match the temporary key.")
	}
	return nil
}

// tc3Authorization is a parsed TC3 Authorization header.
type tc3Authorization struct {
	SecretID, Date, Service, Terminator string
	SignedHeaders                       []string
	// signedHeaders is the SignedHeaders field as sent, the names joined by ";".
	signedHeaders string
	Signature     string
}

// parseTC3Authorization parses "TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request,
// SignedHeaders=a;b, Signature=HEX": exactly these three fields, each once and not empty,
// the signed headers in lower case and sorted, content-type and host among them, and a
// signature of 64 hexadecimal digits.
func parseTC3Authorization(h string) (tc3Authorization, bool) {
	var a tc3Authorization
	rest, ok := strings.CutPrefix(h, SignTC3+" ")
	if !ok {
		return a, false
	}
	var cred, sh, sig string
	var seenCred, seenSH, seenSig bool
	for {
		part, more, found := strings.Cut(rest, ",")
		k, val, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, false
		}
		var seen *bool
		switch k {
		case "Credential":
			seen, cred = &seenCred, val
		case "SignedHeaders":
			seen, sh = &seenSH, val
		case "Signature":
			seen, sig = &seenSig, val
		default:
			return a, false
		}
		if *seen {
			return a, false
		}
		*seen = true
		if !found {
			break
		}
		rest = more
	}
	if cred == "" || sh == "" || sig == "" {
		return a, false
	}
	id, scope, _ := strings.Cut(cred, "/")
	date, scope, _ := strings.Cut(scope, "/")
	service, term, ok := strings.Cut(scope, "/")
	if !ok || id == "" || strings.Contains(term, "/") {
		return a, false
	}
	a.SecretID, a.Date, a.Service, a.Terminator = id, date, service, term
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
	if !hasCT || !hasHost || len(sig) != 2*sha256.Size {
		return a, false
	}
	for i := range len(sig) {
		if !isHexDigit(sig[i]) {
			return a, false
		}
	}
	a.Signature = sig
	return a, true
}

func isHexDigit(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func (v *verifier) verifyTC3(req *signedRequest, authz string, now time.Time, res *authResult) (*authResult, *apiError) {
	a, ok := parseTC3Authorization(authz)
	if !ok {
		return res, newError("AuthFailure.InvalidAuthorization", "The Authorization header is malformed.")
	}
	res.SignMethod = SignTC3
	res.Action = header(req.Header, hdrAction)
	res.Version, res.hasVersion = headerValue(req.Header, hdrVersion)
	res.Region, res.hasRegion = headerValue(req.Header, hdrRegion)
	ts := header(req.Header, hdrTimestamp)
	tsn, ae := v.checkTimestampPresence(ts)
	if ae != nil {
		return res, ae
	}
	cred, found := v.creds[a.SecretID]
	if !found {
		return res, newError("AuthFailure.SecretIdNotFound", "The SecretId %s is not found.", a.SecretID)
	}
	res.SecretID = a.SecretID
	if ae := v.checkTimestamp(ts, now); ae != nil {
		return res, ae
	}
	var day [len(dateLayout)]byte
	if a.Date != string(time.Unix(tsn, 0).UTC().AppendFormat(day[:0], dateLayout)) || a.Service != v.service || a.Terminator != "tc3_request" {
		return res, newError("AuthFailure.SignatureFailure", "The credential scope %s/%s/%s does not match the request date or the service %s.", a.Date, a.Service, a.Terminator, v.service)
	}
	sc, _ := tc3Scratches.Get().(*tc3Scratch) // The pool holds nothing else.
	if sc == nil {
		sc = newTC3Scratch()
	}
	defer sc.release()
	payload := unsignedPayloadHash[:]
	if header(req.Header, hdrContentSHA256) != unsignedPayload {
		sum := sha256.Sum256(req.Body)
		hex.Encode(sc.payload[:], sum[:])
		payload = sc.payload[:]
	}
	query := ""
	if req.Method == http.MethodGet {
		query = req.RawQuery
	}
	key := v.signingKey(cred, a.Date)
	// The vendor's rule lower-cases header values; the official SDKs sign them as sent, which
	// only differs for mixed-case values, so both forms are accepted.
	ok, lowered := sc.matches(key, req, &a, true, query, payload, ts)
	if !ok && lowered {
		ok, _ = sc.matches(key, req, &a, false, query, payload, ts)
	}
	if !ok {
		return res, newError("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
	}
	if ae := v.checkToken(cred, header(req.Header, hdrToken)); ae != nil {
		return res, ae
	}
	if req.Method == http.MethodGet {
		q, err := url.ParseQuery(req.RawQuery)
		if err != nil {
			return res, newError("InvalidParameter", "The query string is not correctly URL-encoded.")
		}
		for k := range q {
			if v1CommonParams[k] {
				delete(q, k)
			}
		}
		res.flat = q
		return res, nil
	}
	if len(req.Body) > 0 && !isJSONContentType(header(req.Header, hdrContentType)) {
		return res, newError("InvalidParameter", "A TC3-HMAC-SHA256 POST request must carry a JSON body with Content-Type application/json.")
	}
	res.isJSON = true
	res.jsonBody = req.Body
	return res, nil
}

// headerValue returns the first value of h under the canonical key, and whether the header
// was sent.
func headerValue(h http.Header, canonical string) (string, bool) {
	vals, ok := h[canonical]
	if !ok || len(vals) == 0 {
		return "", false
	}
	return vals[0], true
}

func (v *verifier) checkTimestampPresence(ts string) (int64, *apiError) {
	if ts == "" {
		return 0, newError("MissingParameter", "The request is missing the required parameter `Timestamp`.")
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || n < 0 {
		return 0, newError("InvalidParameterValue", "The value of `Timestamp` is not a valid UNIX timestamp.")
	}
	return n, nil
}

func (v *verifier) verifyV1(req *signedRequest, params url.Values, now time.Time, res *authResult) (*authResult, *apiError) {
	single := make(map[string]string, len(params))
	for k, vals := range params {
		if len(vals) != 1 {
			return res, newError("InvalidParameter", "The parameter `%s` is given more than once.", k)
		}
		single[k] = vals[0]
	}
	method := SignHmacSHA1
	if single["SignatureMethod"] == SignHmacSHA256 {
		method = SignHmacSHA256
	}
	res.SignMethod = method
	res.Action = single["Action"]
	res.Version, res.hasVersion = single["Version"], params.Has("Version")
	res.Region, res.hasRegion = single["Region"], params.Has("Region")
	for _, name := range []string{"SecretId", "Timestamp", "Nonce"} {
		if single[name] == "" {
			return res, newError("MissingParameter", "The request is missing the required parameter `%s`.", name)
		}
	}
	if n, err := strconv.ParseUint(single["Nonce"], 10, 64); err != nil || n > 1<<63-1 {
		return res, newError("InvalidParameterValue", "The value of `Nonce` must be a non-negative integer.")
	}
	if _, ae := v.checkTimestampPresence(single["Timestamp"]); ae != nil {
		return res, ae
	}
	cred, found := v.creds[single["SecretId"]]
	if !found {
		return res, newError("AuthFailure.SecretIdNotFound", "The SecretId %s is not found.", single["SecretId"])
	}
	res.SecretID = cred.SecretID
	if ae := v.checkTimestamp(single["Timestamp"], now); ae != nil {
		return res, ae
	}
	sig := single["Signature"]
	signed := make(map[string]string, len(single))
	nonEmpty := make(map[string]string, len(single))
	for k, val := range single {
		if k == "Signature" {
			continue
		}
		signed[k] = val
		if val != "" {
			nonEmpty[k] = val
		}
	}
	ok := hmac.Equal([]byte(sig), []byte(v1Signature(cred.SecretKey, method, v1StringToSign(req.Method, req.Host, signed))))
	if !ok && len(nonEmpty) != len(signed) {
		ok = hmac.Equal([]byte(sig), []byte(v1Signature(cred.SecretKey, method, v1StringToSign(req.Method, req.Host, nonEmpty))))
	}
	if !ok {
		return res, newError("AuthFailure.SignatureFailure", "The provided credentials could not be validated. Please check your signature is correct.")
	}
	if ae := v.checkToken(cred, single["Token"]); ae != nil {
		return res, ae
	}
	flat := url.Values{}
	for k, vals := range params {
		if !v1CommonParams[k] {
			flat[k] = vals
		}
	}
	res.flat = flat
	return res, nil
}
