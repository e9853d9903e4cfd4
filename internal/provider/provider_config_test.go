package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/opendts/terraform-provider-dts/internal/dtsmock"
)

// configure runs the provider's Configure on the given attribute values (all others null).
func configure(t *testing.T, values map[string]tftypes.Value) (*providerData, string) {
	t.Helper()
	ctx := context.Background()
	p := &dtsProvider{version: "test"}
	var schemaResp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &schemaResp)
	typ, ok := schemaResp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	if !ok {
		t.Fatalf("provider schema type is %T", schemaResp.Schema.Type().TerraformType(ctx))
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		attrs[name] = tftypes.NewValue(at, nil)
	}
	for k, v := range values {
		attrs[k] = v
	}
	req := provider.ConfigureRequest{Config: tfsdk.Config{Schema: schemaResp.Schema, Raw: tftypes.NewValue(typ, attrs)}}
	var resp provider.ConfigureResponse
	p.Configure(ctx, req, &resp)
	if resp.Diagnostics.HasError() {
		var msgs []string
		for _, d := range resp.Diagnostics.Errors() {
			msgs = append(msgs, d.Summary()+": "+d.Detail())
		}
		return nil, strings.Join(msgs, "\n")
	}
	data, ok := resp.ResourceData.(*providerData)
	if !ok {
		t.Fatalf("ResourceData is %T", resp.ResourceData)
	}
	return data, ""
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func clearEnv(t *testing.T) {
	for _, k := range []string{envSecretID, envSecretKey, envSecurityToken, envRegion, envEndpoint, envSignatureMethod} {
		t.Setenv(k, "")
	}
}

func TestConfigureEndpoints(t *testing.T) {
	clearEnv(t)
	creds := map[string]tftypes.Value{"secret_id": str("AKIDx"), "secret_key": str("key")}
	cases := []struct {
		region, endpoint     string
		wantHost, wantScheme string
	}{
		{"ap-guangzhou", "", "dts.tencentcloudapi.com", "https"},
		{"ap-shanghai-fsi", "", "dts.ap-shanghai-fsi.tencentcloudapi.com", "https"},
		{"ap-shenzhen-fsi", "", "dts.ap-shenzhen-fsi.tencentcloudapi.com", "https"},
		{"ap-guangzhou", "http://127.0.0.1:8088", "127.0.0.1:8088", "http"},
		{"ap-guangzhou", "https://dts.example.internal", "dts.example.internal", "https"},
		{"ap-guangzhou", "dts.example.internal:8443", "dts.example.internal:8443", "https"},
	}
	for _, c := range cases {
		t.Run(c.region+" "+c.endpoint, func(t *testing.T) {
			values := map[string]tftypes.Value{"region": str(c.region)}
			for k, v := range creds {
				values[k] = v
			}
			if c.endpoint != "" {
				values["endpoint"] = str(c.endpoint)
			}
			data, errs := configure(t, values)
			if errs != "" {
				t.Fatal(errs)
			}
			if got := data.client.Endpoint(); got != c.wantHost {
				t.Errorf("endpoint host = %q, want %q", got, c.wantHost)
			}
			if got := strings.ToLower(data.client.Scheme()); got != c.wantScheme {
				t.Errorf("scheme = %q, want %q", got, c.wantScheme)
			}
		})
	}
}

func TestConfigureEnvironmentAndPrecedence(t *testing.T) {
	clearEnv(t)
	t.Setenv(envSecretID, "AKIDfromenv")
	t.Setenv(envSecretKey, "keyfromenv")
	t.Setenv(envRegion, "ap-shanghai-fsi")
	data, errs := configure(t, nil)
	if errs != "" {
		t.Fatalf("environment alone should configure the provider: %s", errs)
	}
	if data.client.Region() != "ap-shanghai-fsi" || data.client.Endpoint() != "dts.ap-shanghai-fsi.tencentcloudapi.com" {
		t.Errorf("region %q endpoint %q from the environment", data.client.Region(), data.client.Endpoint())
	}
	data, errs = configure(t, map[string]tftypes.Value{"region": str("ap-beijing")})
	if errs != "" {
		t.Fatal(errs)
	}
	if data.client.Region() != "ap-beijing" {
		t.Errorf("configuration should win over the environment: region %q", data.client.Region())
	}
	t.Setenv(envRegion, "mars-north-1")
	if _, errs = configure(t, nil); !strings.Contains(errs, "mars-north-1") || !strings.Contains(errs, envRegion) {
		t.Errorf("a bad region from the environment should be named with its variable: %q", errs)
	}
}

func TestConfigureMissingCredentialsNameAttributeAndVariable(t *testing.T) {
	clearEnv(t)
	_, errs := configure(t, map[string]tftypes.Value{"region": str("ap-guangzhou")})
	for _, want := range []string{`"secret_id"`, envSecretID, `"secret_key"`, envSecretKey} {
		if !strings.Contains(errs, want) {
			t.Errorf("errors should name %s: %s", want, errs)
		}
	}
	_, errs = configure(t, map[string]tftypes.Value{"secret_id": str("a"), "secret_key": str("b")})
	if !strings.Contains(errs, envRegion) {
		t.Errorf("missing region should name %s: %s", envRegion, errs)
	}
	unknown := tftypes.NewValue(tftypes.String, tftypes.UnknownValue)
	_, errs = configure(t, map[string]tftypes.Value{"secret_id": unknown, "secret_key": str("b"), "region": str("ap-guangzhou")})
	if !strings.Contains(errs, `"secret_id" is unknown`) || !strings.Contains(errs, envSecretID) {
		t.Errorf("unknown secret_id should be named: %s", errs)
	}
}

// TestAccProvider_environmentCredentials proves end to end that the environment configures
// the provider, that the configuration wins over it, and that missing credentials fail with
// an error naming the attribute and its variable.
func TestAccProvider_environmentCredentials(t *testing.T) {
	env := newAccEnv(t)
	mock := env.needMock(t)
	clearEnv(t)
	t.Setenv(envSecretID, dtsmock.DefaultSecretID)
	t.Setenv(envSecretKey, dtsmock.DefaultSecretKey)
	t.Setenv(envRegion, "ap-guangzhou")
	t.Setenv(envEndpoint, mock.URL)
	job := jobSpec{attrs: `
  migrate_type = "full"
  start        = false`}.hcl()
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		CheckDestroy:             checkDestroyed(env),
		Steps: []resource.TestStep{
			{
				// Everything from the environment.
				Config:            `provider "dts" {}` + job,
				ConfigStateChecks: []statecheck.StateCheck{statusIs("check_pass")},
			},
			{
				// A wrong key in the configuration wins over the right one in the environment.
				Config:      `provider "dts" { secret_key = "wrong-key" }` + job,
				ExpectError: regexp.MustCompile(`AuthFailure\.SignatureFailure`),
			},
			{
				// A wrong region in the configuration is refused before any call.
				Config:      `provider "dts" { region = "mars-north-1" }` + job,
				ExpectError: regexp.MustCompile(`(?s)region.*value must be one of`),
			},
			{
				Config: fmt.Sprintf(`provider "dts" {
  secret_id = %q
  endpoint  = %q
}`, dtsmock.DefaultSecretID, mock.URL) + job,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(jobResource, tfjsonpath.New("status"), knownvalue.StringExact("check_pass")),
				},
			},
		},
	})
}

func TestAccProvider_missingCredentials(t *testing.T) {
	env := newAccEnv(t)
	env.needMock(t)
	clearEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{{
			Config:      `provider "dts" { region = "ap-guangzhou" }` + jobSpec{attrs: `  migrate_type = "full"`}.hcl(),
			ExpectError: regexp.MustCompile(`(?s)Missing API SecretId.*secret_id.*TENCENTCLOUD_SECRET_ID`),
		}},
	})
}
