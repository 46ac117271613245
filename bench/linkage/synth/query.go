package synth

// NameIn writes a person's name as a searcher would type it: the given
// name, surname and (withPatr) patronymic in one of SchemeNames' schemes,
// surname first when surnameFirst. No typos: the query is what a relative
// types; the records carry the sources' mistakes.
func NameIn(p *Person, schemeIndex int, withPatr, surnameFirst bool) (given, surname, patr string) {
	sc := scheme(schemeIndex % int(numSchemes))
	given = render(p.Given, sc)
	surname = render(surnameNotation(p.Surname, p.Sex), sc)
	if withPatr {
		patr = patronymic(p.Father, p.Sex, sc)
	}
	return given, surname, patr
}
