package sqlrow_test

import (
	"context"
	"maps"
	"slices"
	"testing"

	"github.com/opendts/terraform-provider-dts/internal/mariadbtest"
	"github.com/opendts/terraform-provider-dts/internal/sqlrow"
)

// TestEachAndFirst reads an answer whose columns the caller does not name against a real
// server: every row in order, NULL as "", an early stop, and an answer with no row.
func TestEachAndFirst(t *testing.T) {
	t.Parallel()
	m := mariadbtest.StartT(t, mariadbtest.Config{})
	ctx := context.Background()
	const query = "SELECT 1 AS n, 'one' AS word UNION ALL SELECT 2, NULL UNION ALL SELECT 3, 'three'"

	var rows []map[string]string
	if err := sqlrow.Each(ctx, m.DB, query, func(row map[string]string) bool {
		rows = append(rows, row)
		return true
	}); err != nil {
		t.Fatal(err)
	}
	want := []map[string]string{{"n": "1", "word": "one"}, {"n": "2", "word": ""}, {"n": "3", "word": "three"}}
	if !slices.EqualFunc(rows, want, maps.Equal) {
		t.Errorf("Each read %v, want %v", rows, want)
	}

	calls := 0
	if err := sqlrow.Each(ctx, m.DB, query, func(map[string]string) bool {
		calls++
		return calls < 2
	}); err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("Each went on to %d rows after fn returned false at the second, want 2", calls)
	}

	first, err := sqlrow.First(ctx, m.DB, query)
	if err != nil || !maps.Equal(first, want[0]) {
		t.Errorf("First = %v, %v; want %v", first, err, want[0])
	}
	none, err := sqlrow.First(ctx, m.DB, "SELECT 1 AS n FROM DUAL WHERE 1 = 0")
	if err != nil || len(none) != 0 {
		t.Errorf("First of an empty answer = %v, %v; want an empty row", none, err)
	}
	if _, err := sqlrow.First(ctx, m.DB, "SELECT * FROM no_such_table"); err == nil {
		t.Error("First of a failing query returned no error")
	}
}
