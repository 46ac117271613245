package web

import (
	"rollcall/internal/publish"
	"rollcall/internal/store"
)

// publicationView is a person's publication state with the page's
// translations, for the banner (admin_publication_parts.html) that the
// person page and the review pages show.
type publicationView struct {
	page
	store.PublicationState
	// Suffix keeps the banner's ids apart where a page shows two.
	Suffix string
}

// Banner is the person's PUBLIC/WITHHELD banner.
func (p editPersonPage) Banner() publicationView {
	return publicationView{page: p.page, PublicationState: p.Publication}
}

// previewPeople is one list of persons of the publish preview (what:
// enter, leave, named, withheld) with the page's translations.
type previewPeople struct {
	page
	What   string
	People []publish.PreviewPerson
}

// PeopleList is one of the preview's lists of persons, for its template.
func (p editPublishPage) PeopleList(what string, people []publish.PreviewPerson) previewPeople {
	return previewPeople{page: p.page, What: what, People: people}
}

// wholePersonView is one side of a pair, whole, with the page's
// translations.
type wholePersonView struct {
	page
	Side   string // "a" or "b"
	Person store.WholePerson
}

// Banner is the side's PUBLIC/WITHHELD banner.
func (v wholePersonView) Banner() publicationView {
	return publicationView{page: v.page, PublicationState: v.Person.Publication, Suffix: "-" + v.Side}
}

// Whole is one side of the pair for its template.
func (p reviewPairPage) Whole(side string, person store.WholePerson) wholePersonView {
	return wholePersonView{page: p.page, Side: side, Person: person}
}
