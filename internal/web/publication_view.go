package web

import "rollcall/internal/store"

// publicationView is a person's publication state with the page's
// translations, for the banner (admin_publication_parts.html) that the
// person page and the review pages show.
type publicationView struct {
	page
	store.PublicationState
}

// Banner is the person's PUBLIC/WITHHELD banner.
func (p editPersonPage) Banner() publicationView {
	return publicationView{page: p.page, PublicationState: p.Publication}
}
