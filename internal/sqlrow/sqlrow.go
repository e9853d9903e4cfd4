// Package sqlrow reads the answers of statements whose columns are not known in advance, such
// as MariaDB's SHOW statements, whose columns change from one server version to the next. The
// emulator's live mode and the MariaDB test servers read them the same way.
package sqlrow

import (
	"context"
	"database/sql"
)

// Each runs query on db and calls fn with each row of its answer, as column name → the column's
// text (a NULL reads as ""), until fn returns false or the rows end.
func Each(ctx context.Context, db *sql.DB, query string, fn func(row map[string]string) bool) error {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close() //nolint:errcheck // The error of interest is rows.Err.
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		row := make(map[string]string, len(cols))
		for i, c := range cols {
			row[c] = string(vals[i])
		}
		if !fn(row) {
			break
		}
	}
	return rows.Err()
}

// First is the first row of query's answer, as Each gives it; empty when the answer has no row.
func First(ctx context.Context, db *sql.DB, query string) (map[string]string, error) {
	first := map[string]string{}
	err := Each(ctx, db, query, func(row map[string]string) bool {
		first = row
		return false
	})
	return first, err
}
