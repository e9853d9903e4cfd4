package dtsmock

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"
)

// The headers the verifier reads, in the canonical form net/http stores them under, so that a
// lookup converts nothing.
const (
	hdrAuthorization = "Authorization"
	hdrContentType   = "Content-Type"
	hdrAction        = "X-Tc-Action"
	hdrVersion       = "X-Tc-Version"
	hdrRegion        = "X-Tc-Region"
	hdrTimestamp     = "X-Tc-Timestamp"
	hdrToken         = "X-Tc-Token"
	hdrContentSHA256 = "X-Tc-Content-Sha256"
)

// signedHeaderKeys maps the lower-case names clients usually sign to their canonical form.
var signedHeaderKeys = map[string]string{
	"content-type": hdrContentType, "host": "Host", "x-tc-action": hdrAction, "x-tc-version": hdrVersion,
	"x-tc-region": hdrRegion, "x-tc-timestamp": hdrTimestamp, "x-tc-token": hdrToken,
	"x-tc-content-sha256": hdrContentSHA256,
}

// header returns the first value of h under the canonical key, as h.Get does.
func header(h http.Header, canonical string) string {
	if v := h[canonical]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// signedHeader returns the value of the header a client signed under the lower-case name.
func signedHeader(h http.Header, name string) string {
	if k, ok := signedHeaderKeys[name]; ok {
		return header(h, k)
	}
	return h.Get(name)
}

const dateLayout = "2006-01-02"

var unsignedPayloadHash = func() (h [2 * sha256.Size]byte) {
	sum := sha256.Sum256([]byte(unsignedPayload))
	hex.Encode(h[:], sum[:])
	return h
}()

// signingKeyID names a TC3 signing key: it depends on the secret key and the date only (the
// service is the verifier's).
type signingKeyID struct{ secretID, secretKey, date string }

// signingKey is a derived TC3 signing key, with HMACs keyed with it ready for reuse.
type signingKey struct {
	hmacs sync.Pool
}

// maxSigningKeys bounds the kept keys. A request reaches the derivation only with a known
// SecretId and a date that matches a timestamp within the window, so a few keys per
// credential are in use at once; the bound only guards against many credentials.
const maxSigningKeys = 64

// signingKey returns the TC3 signing key of cred on date, deriving it once: the derivation is
// three HMACs that every request of the day would otherwise repeat. The signature itself is
// computed anew for every request.
func (v *verifier) signingKey(cred Credential, date string) *signingKey {
	id := signingKeyID{cred.SecretID, cred.SecretKey, date}
	v.mu.Lock()
	defer v.mu.Unlock()
	if k, ok := v.keys[id]; ok {
		return k
	}
	if v.keys == nil || len(v.keys) >= maxSigningKeys {
		v.keys = map[signingKeyID]*signingKey{}
	}
	kDate := hmacSHA256([]byte("TC3"+cred.SecretKey), date)
	kService := hmacSHA256(kDate, v.service)
	kSigning := hmacSHA256(kService, "tc3_request")
	k := &signingKey{}
	k.hmacs.New = func() any { return hmac.New(sha256.New, kSigning) }
	v.keys[id] = k
	return k
}

// tc3Scratch is the working memory of one TC3 verification.
type tc3Scratch struct {
	buf     []byte
	payload [2 * sha256.Size]byte
	digest  [2 * sha256.Size]byte
	mac     [sha256.Size]byte
	sig     [2 * sha256.Size]byte
}

func newTC3Scratch() *tc3Scratch { return &tc3Scratch{buf: make([]byte, 0, 1024)} }

var tc3Scratches = sync.Pool{New: func() any { return newTC3Scratch() }}

// release puts sc back in the pool, unless a huge query string grew it.
func (sc *tc3Scratch) release() {
	if cap(sc.buf) <= 64<<10 {
		tc3Scratches.Put(sc)
	}
}

// matches reports whether the request's signature is the one key gives for its canonical
// request, with the signed header values lower-cased (lower) or as sent; lowered tells whether
// lower-casing changed any value, that is whether the other form is worth trying. It builds
// the same canonical request and string to sign as tc3StringToSign.
func (sc *tc3Scratch) matches(key *signingKey, req *signedRequest, a *tc3Authorization, lower bool, query string, payload []byte, ts string) (ok, lowered bool) {
	b := append(sc.buf[:0], req.Method...)
	b = append(b, "\n/\n"...)
	b = append(b, query...)
	b = append(b, '\n')
	for _, name := range a.SignedHeaders {
		val := req.Host
		if name != "host" {
			val = signedHeader(req.Header, name)
		}
		val = strings.TrimSpace(val)
		b = append(b, name...)
		b = append(b, ':')
		if lower {
			var changed bool
			b, changed = appendLower(b, val)
			lowered = lowered || changed
		} else {
			b = append(b, val...)
		}
		b = append(b, '\n')
	}
	b = append(b, '\n')
	b = append(b, a.signedHeaders...)
	b = append(b, '\n')
	b = append(b, payload...)
	digest := sha256.Sum256(b)
	hex.Encode(sc.digest[:], digest[:])

	b = append(b[:0], SignTC3+"\n"...)
	b = append(b, ts...)
	b = append(b, '\n')
	b = append(b, a.Date...)
	b = append(b, '/')
	b = append(b, a.Service...)
	b = append(b, '/')
	b = append(b, a.Terminator...)
	b = append(b, '\n')
	b = append(b, sc.digest[:]...)
	sc.buf = b

	h, _ := key.hmacs.Get().(hash.Hash) // The pool holds nothing else.
	h.Reset()
	h.Write(b)
	mac := h.Sum(sc.mac[:0])
	key.hmacs.Put(h)
	hex.Encode(sc.sig[:], mac)
	// The parser let only signatures of this length through; the comparison takes the same
	// time wherever they differ.
	var diff byte
	for i := range sc.sig {
		diff |= sc.sig[i] ^ a.Signature[i]
	}
	return diff == 0, lowered
}

// appendLower appends s lower-cased as strings.ToLower does, and reports whether that changed
// anything.
func appendLower(b []byte, s string) ([]byte, bool) {
	changed := false
	for i := range len(s) {
		c := s[i]
		if c >= utf8.RuneSelf {
			l := strings.ToLower(s)
			return append(b, l...), l != s
		}
		if 'A' <= c && c <= 'Z' {
			changed = true
		}
	}
	n := len(b)
	b = append(b, s...)
	if changed {
		for i := n; i < len(b); i++ {
			if c := b[i]; 'A' <= c && c <= 'Z' {
				b[i] = c + 'a' - 'A'
			}
		}
	}
	return b, changed
}
