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
