// Package csvsep recognises a CSV file written with a separator other
// than the comma, so that loaders can say so instead of only reporting
// the columns they cannot find. It keeps no state and never prints.
package csvsep
