"""The words `generate:` builds contacts from, shipped with the package so generated data
depends on the seed alone, never on another library's release (docs/decisions.md)."""

from __future__ import annotations

FIRST_NAMES = (
    "Aaron", "Abigail", "Adam", "Aisha", "Alan", "Alex", "Alice", "Amanda", "Amir", "Amy",
    "Ana", "Andrea", "Andrew", "Angela", "Anna", "Anthony", "Ashley", "Barbara", "Ben",
    "Beth", "Brandon", "Brian", "Caroline", "Carlos", "Catherine", "Charles", "Chen",
    "Chloe", "Chris", "Christina", "Claire", "Daniel", "David", "Deborah", "Diana", "Diego",
    "Dorothy", "Dylan", "Edward", "Elena", "Elijah", "Elizabeth", "Emily", "Emma", "Eric",
    "Ethan", "Eva", "Fatima", "Frank", "Gabriel", "Grace", "Hana", "Hannah", "Harper",
    "Henry", "Isaac", "Isabella", "Ivan", "Jack", "Jacob", "James", "Jane", "Jason",
    "Javier", "Jennifer", "Jessica", "John", "Jordan", "Jose", "Joseph", "Joshua", "Julia",
    "Karen", "Kate", "Kenji", "Kevin", "Laura", "Leo", "Liam", "Linda", "Lucas", "Lucy",
    "Luis", "Maria", "Mark", "Mary", "Mason", "Matthew", "Maya", "Mei", "Michael", "Mia",
    "Mohammed", "Nadia", "Nancy", "Natalie", "Nathan", "Nina", "Noah", "Olivia", "Omar",
    "Oscar", "Patricia", "Paul", "Priya", "Rachel", "Rahul", "Rebecca", "Richard", "Robert",
    "Rosa", "Ryan", "Samuel", "Sara", "Sarah", "Sofia", "Sophie", "Stephen", "Susan",
    "Thomas", "Valentina", "Victor", "William", "Yara", "Yusuf", "Zoe",
)

LAST_NAMES = (
    "Adams", "Ahmed", "Allen", "Alvarez", "Anderson", "Bailey", "Baker", "Bennett", "Brooks",
    "Brown", "Campbell", "Carter", "Castillo", "Chen", "Clark", "Collins", "Cook", "Cooper",
    "Cruz", "Davis", "Diaz", "Edwards", "Evans", "Fischer", "Flores", "Foster", "Garcia",
    "Gomez", "Gonzalez", "Gray", "Green", "Gupta", "Hall", "Harris", "Hayes", "Hernandez",
    "Hill", "Howard", "Hughes", "Jackson", "James", "Jenkins", "Johnson", "Jones", "Kelly",
    "Khan", "Kim", "King", "Kowalski", "Lee", "Lewis", "Li", "Lopez", "Martin", "Martinez",
    "Miller", "Mitchell", "Moore", "Morales", "Morgan", "Morris", "Murphy", "Murray",
    "Nguyen", "Nelson", "Novak", "Okafor", "Ortiz", "Parker", "Patel", "Perez", "Peterson",
    "Phillips", "Price", "Ramirez", "Reed", "Reyes", "Richardson", "Rivera", "Roberts",
    "Robinson", "Rodriguez", "Rogers", "Ross", "Russell", "Sanchez", "Sanders", "Schmidt",
    "Scott", "Silva", "Singh", "Smith", "Stewart", "Sullivan", "Suzuki", "Tanaka", "Taylor",
    "Thomas", "Thompson", "Torres", "Turner", "Walker", "Wang", "Ward", "Watson", "White",
    "Williams", "Wilson", "Wood", "Wright", "Yamamoto", "Young", "Zhang",
)

CITIES = (
    "Albany", "Atlanta", "Austin", "Baltimore", "Boise", "Boston", "Buffalo", "Charlotte",
    "Chicago", "Cincinnati", "Cleveland", "Columbus", "Dallas", "Denver", "Des Moines",
    "Detroit", "El Paso", "Fresno", "Hartford", "Honolulu", "Houston", "Indianapolis",
    "Jacksonville", "Kansas City", "Las Vegas", "Lincoln", "Little Rock", "Los Angeles",
    "Louisville", "Madison", "Memphis", "Miami", "Milwaukee", "Minneapolis", "Nashville",
    "New Orleans", "New York", "Oakland", "Omaha", "Orlando", "Philadelphia", "Phoenix",
    "Pittsburgh", "Portland", "Providence", "Raleigh", "Richmond", "Sacramento",
    "Salt Lake City", "San Antonio", "San Diego", "San Francisco", "San Jose", "Santa Fe",
    "Seattle", "Spokane", "St. Louis", "Tampa", "Tucson", "Tulsa", "Wichita",
)
