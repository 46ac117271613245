package store

import "strings"

// What a field bundle carries (issue 17): the rows people make on a field
// instance, table by table in the order of their references, with what
// headquarters does to each when it applies them (store/bundle_import.go).

// fieldTable says how one table travels.
type fieldTable struct {
	name string
	// columns travel in this order (not those that mean nothing away
	// from the instance, which would only make versions differ: who took
	// a record over, the last fixity check); key is the row's id column, or ""
	// when the natural key is the row's key (its id is those columns
	// joined by "|").
	columns []string
	key     string
	// refs name, per column, the table whose ids it holds: headquarters
	// maps a field id to the row it already had for it.
	refs map[string]string
	// natural is a unique key besides the id: a field row with the same
	// natural key as a row headquarters has is that row (the same source
	// key, the same source and record, the same claim, the same file).
	natural []string
	// compare are the columns that, on a natural match, must agree, or the
	// field's version is kept as a conflict for editors.
	compare []string
	// received are times headquarters replaces with the moment it received
	// the row, so that counts known at T use the time a row reached it
	// (the field's times stay in field_origins.row_doc).
	received []string
	// closing are columns a later version may set once (a retraction, a
	// decision superseded, a link ended): the only change a field row may
	// make to a row headquarters has.
	closing []string
	// actors are columns naming a user of the field instance; at
	// headquarters they name the device ("device:ID").
	actors []string
	// fieldAt is the column giving when the field recorded the row.
	fieldAt string
}

var fieldTables = []fieldTable{
	{name: "sources", key: "id", columns: []string{"id", "key", "kind", "reliability", "created_at"},
		natural: []string{"key"}, received: []string{"created_at"}, fieldAt: "created_at"},
	{name: "incidents", key: "id", columns: []string{"id", "name", "date_start", "precision", "place", "description"}},
	{name: "records", key: "id", columns: []string{"id", "source_id", "source_record", "person_id", "name", "name_norm", "name_alt", "name_alt_norm", "sex", "birth_year", "birth_date", "region", "locality", "roles", "fields_hash", "created_at", "entered_by"},
		refs: map[string]string{"source_id": "sources"}, natural: []string{"source_id", "source_record"}, compare: []string{"fields_hash"},
		received: []string{"created_at"}, actors: []string{"entered_by"}, fieldAt: "created_at"},
	{name: "claims", key: "id", columns: []string{"id", "record_id", "record_person", "status", "date_start", "date_end", "precision", "place", "details", "incident_id", "verification", "note", "fingerprint", "recorded_at", "retracted_at", "entered_by", "supersedes", "retract_reason"},
		refs: map[string]string{"record_id": "records", "incident_id": "incidents", "supersedes": "claims"}, natural: []string{"record_id", "fingerprint"},
		received: []string{"recorded_at", "retracted_at"}, closing: []string{"retracted_at", "retract_reason"}, actors: []string{"entered_by"}, fieldAt: "recorded_at"},
	{name: "links", key: "id", columns: []string{"id", "record_id", "person_id", "linked_at", "unlinked_at", "by_whom", "why"},
		refs: map[string]string{"record_id": "records"}, received: []string{"linked_at", "unlinked_at"}, closing: []string{"unlinked_at"}, actors: []string{"by_whom"}, fieldAt: "linked_at"},
	{name: "relationships", key: "id", columns: []string{"id", "person_a", "person_b", "kind", "recorded_at", "retracted_at", "retract_reason"},
		received: []string{"recorded_at", "retracted_at"}, closing: []string{"retracted_at", "retract_reason"}, fieldAt: "recorded_at"},
	{name: "decisions", key: "id", columns: []string{"id", "record_a", "record_b", "verdict", "by_whom", "why", "decided_at", "superseded_at"},
		refs: map[string]string{"record_a": "records", "record_b": "records"}, received: []string{"decided_at", "superseded_at"}, closing: []string{"superseded_at"}, actors: []string{"by_whom"}, fieldAt: "decided_at"},
	{name: "person_decisions", key: "id", columns: []string{"id", "person_id", "records", "verdict", "split", "by_whom", "why", "decided_at", "superseded_at"},
		received: []string{"decided_at", "superseded_at"}, closing: []string{"superseded_at"}, actors: []string{"by_whom"}, fieldAt: "decided_at"},
	{name: "person_publicity", key: "id", columns: []string{"id", "person_id", "mark", "reason", "by_whom", "marked_at", "legacy"},
		received: []string{"marked_at"}, actors: []string{"by_whom"}, fieldAt: "marked_at"},
	{name: "person_consents", key: "id", columns: []string{"id", "person_id", "publicity_id", "given_on", "how", "recorded_by", "recorded_at"},
		refs: map[string]string{"publicity_id": "person_publicity"}, received: []string{"recorded_at"}, actors: []string{"recorded_by"}, fieldAt: "recorded_at"},
	{name: "evidence_items", key: "id", columns: []string{"id", "sha256", "md5", "size", "media_type", "blob", "received_by", "received_at"},
		natural: []string{"sha256"}, received: []string{"received_at"}, actors: []string{"received_by"}, fieldAt: "received_at"},
	// target_id names a claim, an incident or a person by kind (refTarget).
	{name: "evidence_links", columns: []string{"item_id", "kind", "target_id", "linked_at", "linked_by"},
		refs: map[string]string{"item_id": "evidence_items"}, natural: []string{"item_id", "kind", "target_id"},
		received: []string{"linked_at"}, actors: []string{"linked_by"}, fieldAt: "linked_at"},
	{name: "source_basis", key: "id", columns: []string{"id", "source_id", "basis", "by_whom", "set_at"},
		refs: map[string]string{"source_id": "sources"}, received: []string{"set_at"}, actors: []string{"by_whom"}, fieldAt: "set_at"},
}

func fieldTableNamed(name string) (fieldTable, bool) {
	for _, t := range fieldTables {
		if t.name == name {
			return t, true
		}
	}
	return fieldTable{}, false
}

func (t fieldTable) has(list []string, col string) bool {
	for _, c := range list {
		if c == col {
			return true
		}
	}
	return false
}

// rowID is a row's id as a bundle carries it: its key column, or its
// natural key joined by "|".
func (t fieldTable) rowID(text func(col string) (string, bool)) (string, bool) {
	if t.key != "" {
		return text(t.key)
	}
	parts := make([]string, len(t.natural))
	for i, c := range t.natural {
		v, ok := text(c)
		if !ok {
			return "", false
		}
		parts[i] = v
	}
	return strings.Join(parts, "|"), true
}

// orderBy is the column list a table is exported in the order of.
func (t fieldTable) orderBy() []string {
	if t.key != "" {
		return []string{t.key}
	}
	return t.natural
}
