package provider

// logger.go: tflog behind the client's Logger, so that every line of dtsapi goes through
// Terraform's logging with the provider's secrets masked.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/opendts/terraform-provider-dts/internal/dtsapi"
)

var _ dtsapi.Logger = tfLogger{}

// tfLogger backs the client's logging with tflog. The client's calls arrive with the context
// of whichever operation made them, so the secrets are masked here, on every line, rather than
// once in Configure.
type tfLogger struct {
	secrets []string
}

func newTFLogger(secrets ...string) tfLogger {
	return tfLogger{secrets: nonEmpty(secrets...)}
}

func (l tfLogger) mask(ctx context.Context) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "secret_key", "security_token", "password", "access_key")
	return tflog.MaskLogStrings(ctx, l.secrets...)
}

func (l tfLogger) Debug(ctx context.Context, msg string, fields map[string]any) {
	tflog.Debug(l.mask(ctx), msg, fields)
}

func (l tfLogger) Warn(ctx context.Context, msg string, fields map[string]any) {
	tflog.Warn(l.mask(ctx), msg, fields)
}
