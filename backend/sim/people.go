package sim

import (
	"fmt"
	"strings"
)

// Person is one employee of the demo organisation. The same people appear in
// every simulated vendor (ITM users and senders, SaaS asset owners, Okta
// users and log actors, Atlassian and Essentials accounts), so a pivot on a
// person finds them everywhere.
type Person struct {
	First, Last string
	Email       string // also the Okta login, the SCIM userName and the Essentials primary email
	Department  string
	Title       string
	City        string
	Country     string
	Index       int
}

// Domain is the demo organisation's email domain.
const Domain = "acme.example"

var (
	firstNames = []string{"Li", "Maria", "James", "Aisha", "Kenji", "Sofia", "Omar", "Priya", "Lukas", "Fatima",
		"Diego", "Hannah", "Ivan", "Chloe", "Tariq", "Elena", "Noah", "Mei", "Samuel", "Zara",
		"Arjun", "Ingrid", "Mateo", "Yuki", "Grace", "Hugo", "Leila", "Oscar", "Nadia", "Felix",
		"Amara", "Erik", "Lucia", "Ravi", "Julia", "Kofi", "Anya", "Marco", "Sara", "Tomas"}
	lastNames = []string{"Chen", "Garcia", "Smith", "Khan", "Tanaka", "Rossi", "Haddad", "Patel", "Weber", "Ali",
		"Lopez", "Schmidt", "Petrov", "Martin", "Aziz", "Popescu", "Brown", "Wang", "Okafor", "Nowak",
		"Singh", "Larsen", "Fernandez", "Sato", "Kim", "Dubois", "Rahman", "Berg", "Novak", "Fischer"}
	departments = []string{"Finance", "Engineering", "Sales", "Legal", "HR", "Marketing", "Support", "Security", "Operations", "Research"}
	titles      = []string{"Analyst", "Engineer", "Manager", "Director", "Specialist", "Associate", "Lead", "Consultant"}
	places      = [][2]string{{"London", "United Kingdom"}, {"New York", "United States"}, {"Berlin", "Germany"}, {"Singapore", "Singapore"},
		{"Toronto", "Canada"}, {"Sydney", "Australia"}, {"Madrid", "Spain"}, {"Tokyo", "Japan"}, {"Lagos", "Nigeria"}, {"Sao Paulo", "Brazil"}}
)

// People returns n deterministic people; the first is always Li Chen
// (li.chen@acme.example), so examples and acceptance checks can name her.
func People(n int) []Person {
	out := make([]Person, n)
	for i := range out {
		out[i] = PersonAt(i)
	}
	return out
}

// PersonAt returns the i-th person without building the others.
func PersonAt(i int) Person {
	f := firstNames[i%len(firstNames)]
	// Step through last names so neighbours differ in both names.
	l := lastNames[(i/len(firstNames)+i*7)%len(lastNames)]
	local := strings.ToLower(f + "." + l)
	if round := i / (len(firstNames) * len(lastNames)); round > 0 {
		local += fmt.Sprint(round + 1)
	}
	place := places[(i*3)%len(places)]
	return Person{
		First: f, Last: l, Email: local + "@" + Domain,
		Department: departments[(i*5)%len(departments)],
		Title:      titles[(i*3)%len(titles)],
		City:       place[0], Country: place[1], Index: i,
	}
}

// Name is "First Last".
func (p Person) Name() string { return p.First + " " + p.Last }

// PersonIndex finds the index of the person with email among the first n,
// without building the others: the name picks the first name's slot, and
// only 30 candidates share it within a round of names.
func PersonIndex(email string, n int) (int, bool) {
	local, domain, ok := strings.Cut(strings.ToLower(email), "@")
	if !ok || domain != Domain {
		return 0, false
	}
	round := 0
	if end := strings.TrimRight(local, "0123456789"); end != local {
		var r int
		if _, err := fmt.Sscanf(local[len(end):], "%d", &r); err != nil || r < 2 {
			return 0, false
		}
		local, round = end, r-1
	}
	first, _, ok := strings.Cut(local, ".")
	if !ok {
		return 0, false
	}
	f := -1
	for i, name := range firstNames {
		if strings.ToLower(name) == first {
			f = i
		}
	}
	if f < 0 {
		return 0, false
	}
	per := len(firstNames) * len(lastNames)
	for k := 0; k < len(lastNames); k++ {
		i := round*per + f + k*len(firstNames)
		if i >= n {
			break
		}
		if PersonAt(i).Email == strings.ToLower(email) {
			return i, true
		}
	}
	return 0, false
}
