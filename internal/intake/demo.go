package intake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"rollcall/internal/funds"
	"rollcall/internal/registry"
	"rollcall/internal/safecsv"
	"rollcall/internal/store"
)

// The demo set is invented: given names and surnames are common ones,
// combined at random, so that no row describes a real person.
type spelling struct{ cyr, lat, press string }

var demoGivenMale = []spelling{
	{"Азамат", "Azamat", "Azamat"}, {"Бахтияр", "Baxtiyar", "Bakhtiyar"}, {"Даулет", "Dáwlet", "Daulet"},
	{"Ерлан", "Erlan", "Yerlan"}, {"Жасур", "Jasur", "Zhasur"}, {"Куаныш", "Quanısh", "Kuanysh"},
	{"Мухаммед", "Muxammed", "Mukhammed"}, {"Нурлан", "Nurlan", "Nurlan"}, {"Ойбек", "Oybek", "Oybek"},
	{"Руслан", "Ruslan", "Ruslan"}, {"Серик", "Serik", "Serik"}, {"Тимур", "Timur", "Timur"},
	{"Улугбек", "Ulıǵbek", "Ulugbek"}, {"Шухрат", "Shuxrat", "Shukhrat"}, {"Алишер", "Alisher", "Alisher"},
	{"Рустам", "Rustam", "Rustam"}, {"Бекзод", "Bekzod", "Bekzod"}, {"Жамшид", "Jamshid", "Zhamshid"},
}

var demoGivenFemale = []spelling{
	{"Айгуль", "Aygúl", "Aigul"}, {"Гульнара", "Gúlnara", "Gulnara"}, {"Динара", "Dinara", "Dinara"},
	{"Зарина", "Zarina", "Zarina"}, {"Лала", "Lala", "Lala"}, {"Мадина", "Madina", "Madina"},
	{"Нодира", "Nodira", "Nodira"}, {"Сабина", "Sabina", "Sabina"}, {"Феруза", "Feruza", "Feruza"},
	{"Эльмира", "Elmira", "Elmira"},
}

// Surname stems; the male form adds -ов (-ov), the female -ова (-ova).
var demoSurnameStems = []spelling{
	{"Абдуллаев", "Abdullaev", "Abdullayev"}, {"Бекмуратов", "Bekmuratov", "Bekmuratov"}, {"Досжанов", "Dosjanov", "Doszhanov"},
	{"Ережепов", "Erejepov", "Yerezhepov"}, {"Жумабаев", "Jumabaev", "Zhumabayev"}, {"Калмуратов", "Qalmuratov", "Kalmuratov"},
	{"Мамбетов", "Mambetov", "Mambetov"}, {"Нурымбетов", "Nurımbetov", "Nurymbetov"}, {"Оразбаев", "Orazbaev", "Orazbayev"},
	{"Палуаниязов", "Palwanniyazov", "Paluaniyazov"}, {"Сапаров", "Saparov", "Saparov"}, {"Турекеев", "Tórekeev", "Turekeyev"},
	{"Утепбергенов", "Ótepbergenov", "Utepbergenov"}, {"Шамуратов", "Shamuratov", "Shamuratov"}, {"Юсупов", "Yusupov", "Yusupov"},
	{"Есемуратов", "Esemuratov", "Yesemuratov"}, {"Курбанов", "Qurbanov", "Kurbanov"}, {"Сейтмуратов", "Seytmuratov", "Seytmuratov"},
}

var demoRegions = []spelling{
	{"Нукус", "Nókis", "Nukus"}, {"Ходжейли", "Xojeli", "Khodjeyli"}, {"Кунград", "Qońırat", "Kungrad"},
	{"Чимбай", "Shımbay", "Chimbay"}, {"Беруни", "Beruniy", "Beruni"}, {"Турткуль", "Tórtkúl", "Turtkul"},
	{"Муйнак", "Moynaq", "Muynak"}, {"Тахиаташ", "Taqiyatas", "Takhiatash"},
}

var demoPlaces = []string{"ИВС ГУВД Нукуса", "Nukus city court", "СИЗО №1", "Jaslyk colony", "Tashkent city court", ""}

// demoSource is a list in the demo set and how it writes names.
type demoSource struct {
	key    string
	kind   registry.SourceKind
	script string // "cyr", "lat", "press"
	share  float64
}

var demoSources = []demoSource{
	{"volunteers-2022-07", registry.KindVolunteers, "cyr", 0.8},
	{"relatives-hotline", registry.KindRelative, "lat", 0.35},
	{"media-monitoring", registry.KindMedia, "press", 0.4},
}

// WriteDemo writes the synthetic demo set as interchange CSV: people
// persons, seen by several sources in Cyrillic and Latin script, with
// states across July and August 2022.
func WriteDemo(w io.Writer, people int, seed uint64) error {
	rng := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	cw := safecsv.NewWriter(w)
	cw.Write(Columns)
	pick := func(list []spelling) spelling { return list[rng.IntN(len(list))] }
	for i := 0; i < people; i++ {
		female := rng.Float64() < 0.25
		given := pick(demoGivenMale)
		if female {
			given = pick(demoGivenFemale)
		}
		stem := pick(demoSurnameStems)
		surname := stem
		if female {
			surname = spelling{stem.cyr + "а", stem.lat + "a", stem.press + "a"}
		}
		region := pick(demoRegions)
		year := 1960 + rng.IntN(45)
		sex := "m"
		if female {
			sex = "f"
		}
		role := []string{"protester", "protester", "protester", "bystander", "journalist", "relative", "rights_defender"}[rng.IntN(7)]
		story := demoStory(rng)
		seen := false
		for si, src := range demoSources {
			if rng.Float64() >= src.share && !(si == len(demoSources)-1 && !seen) {
				continue
			}
			seen = true
			var name, region1 string
			switch src.script {
			case "cyr":
				name, region1 = surname.cyr+" "+given.cyr, region.cyr
			case "lat":
				name, region1 = given.lat+" "+surname.lat, region.lat
			default:
				name, region1 = strings.ToUpper(surname.press)+" "+given.press, region.press
			}
			birth := strconv.Itoa(year)
			if rng.Float64() < 0.3 {
				birth = ""
			}
			record := fmt.Sprintf("%s-%04d", src.key[:3], i+1)
			for _, c := range story {
				if rng.Float64() < 0.15 && len(story) > 1 {
					continue // not every list knows every step
				}
				verification := []string{"unverified", "corroborated", "corroborated", "verified"}[rng.IntN(4)]
				place := ""
				if c.status != "missing" && c.status != "killed" {
					place = demoPlaces[rng.IntN(len(demoPlaces))]
				}
				if err := cw.Write([]string{src.key, record, name, "", sex, birth, "", region1, "", role, c.status, c.date, verification, place, ""}); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

type demoClaim struct{ status, date string }

// demoStory draws one person's path through July and August 2022.
func demoStory(rng *rand.Rand) []demoClaim {
	day := func(month, from, to int) string {
		return fmt.Sprintf("2022-%02d-%02d", month, from+rng.IntN(to-from+1))
	}
	switch r := rng.Float64(); {
	case r < 0.05:
		return []demoClaim{{"killed", day(7, 1, 2)}}
	case r < 0.20:
		return []demoClaim{{"missing", day(7, 1, 3)}}
	case r < 0.25:
		return []demoClaim{{"missing", day(7, 1, 3)}, {"found", day(7, 10, 25)}}
	case r < 0.55:
		return []demoClaim{{"detained", day(7, 1, 5)}, {"charged", day(7, 10, 20)}}
	case r < 0.75:
		return []demoClaim{{"detained", day(7, 1, 5)}, {"released", day(7, 15, 31)}}
	case r < 0.88:
		return []demoClaim{{"detained", day(7, 1, 5)}, {"tortured", day(7, 3, 8)}, {"restricted", day(8, 1, 20)}}
	case r < 0.95:
		return []demoClaim{{"detained", day(7, 1, 5)}, {"sentenced", day(8, 10, 30)}}
	default:
		return []demoClaim{{"detained", day(7, 1, 4)}, {"died_in_custody", day(7, 5, 20)}}
	}
}

// LoadDemo imports the demo set into an empty registry; it does nothing when
// the registry already holds records. It reports whether it loaded.
func LoadDemo(ctx context.Context, st *store.Store, dir string) (bool, error) {
	totals, err := st.Totals(ctx)
	if err != nil || totals.Records > 0 {
		return false, err
	}
	f, err := os.CreateTemp(dir, "demo-*.csv")
	if err != nil {
		return false, err
	}
	defer os.Remove(f.Name())
	if err := WriteDemo(f, 400, 2022); err != nil {
		f.Close()
		return false, err
	}
	if err := f.Close(); err != nil {
		return false, err
	}
	if _, err := ImportFile(ctx, st, f.Name(), Options{}); err != nil {
		return false, fmt.Errorf("demo data: %w", err)
	}
	// The demo's invented sources "published" their lists, so the demo site
	// shows names: a real source gets a public basis only from an editor.
	sources, err := st.Sources(ctx)
	if err != nil {
		return false, err
	}
	for _, d := range demoSources {
		if err := st.SetSource(ctx, store.ActorCLI, d.key, d.kind, 0); err != nil {
			return false, fmt.Errorf("demo data: %w", err)
		}
	}
	for _, src := range sources {
		if err := st.SetSourceBasis(ctx, store.ActorCLI, src.Key, "demo data: an invented list, published by its invented source", false); err != nil && !errors.Is(err, store.ErrDuplicate) {
			return false, fmt.Errorf("demo data: %w", err)
		}
	}
	if _, err := st.RefreshPublic(ctx); err != nil {
		return false, fmt.Errorf("demo data: %w", err)
	}
	// A campaign, so the donation pages show what they are for; without a
	// payment processor configured it takes no money.
	if campaigns, err := st.Campaigns(ctx); err != nil || len(campaigns) > 0 {
		return true, err
	}
	if _, err := st.CreateCampaign(ctx, store.ActorCLI, demoCampaign); err != nil {
		return false, fmt.Errorf("demo campaign: %w", err)
	}
	return true, nil
}

// demoCampaign is the demo's campaign, in every language of the site.
var demoCampaign = funds.Campaign{Slug: "legal-aid", Currency: "EUR", Goal: 2000000, Starts: 20220715,
	Texts: map[string]funds.CampaignText{
		"en":  {Title: "Legal aid for the detained", Body: "Lawyers for the people detained after the July 2022 protests, and parcels and travel for their families. (A demo campaign: it takes no money.)"},
		"ru":  {Title: "Юридическая помощь задержанным", Body: "Адвокаты для задержанных после протестов в июле 2022 года, передачи и поездки их семей. (Демонстрационная кампания: деньги не принимаются.)"},
		"kaa": {Title: "Uslanǵanlarǵa yuridikalıq járdem", Body: "2022-jıl iyul protestlerinen keyin uslanǵanlarǵa advokatlar, olardıń shańaraqlarına posılkalar hám jol qárejetleri. (Demo kampaniya: pul alınbaydı.)"},
		"uz":  {Title: "Hibsga olinganlarga huquqiy yordam", Body: "2022-yil iyul namoyishlaridan keyin hibsga olinganlar uchun advokatlar, oilalariga posilkalar va yoʻl xarajatlari. (Namuna kampaniya: pul qabul qilinmaydi.)"},
	}}
