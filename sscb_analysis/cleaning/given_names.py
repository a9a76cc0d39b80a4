"""Common given names in England and Wales, for telling a person's name from a category value.

Used only by :func:`sscb_analysis.cleaning.identifiers.looks_like_name`: "Jane Smith" typed into
a gender column is recognised as a name (and refused, never echoed) because "Jane" is a common
given name that no category spells. The list is generic (the most frequent names given to babies
and to their parents' and grandparents' generations, as ONS baby-name tables rank them), not
any area's, and it never needs to be complete: a category value that holds an unrecognised name
is still scanned for every other identifier. Words that are also ordinary English words a
category could hold (May, June, April, Will, Hope, Faith, Joy, Rose, Summer) are left out.
"""

from __future__ import annotations

_NAMES = """
    aaliyah aaron abdul abdullah abigail adam adrian ahmed aidan aisha alan albert alex alexander
    alexandra alfie ali alice alicia alison amanda amara amber amelia amina amir amy andrea andrew
    angela ann anna anne annie anthony archie arthur ashley aurora ava barbara ben benjamin beth
    bethany betty billy bobby bradley brandon brenda brian bryony caleb callum cameron carl carol
    caroline carolyn catherine charles charlie charlotte chelsea chloe chris christine christopher
    claire clare colin connor craig daisy daniel danielle darren david dawn dean deborah declan
    denise dennis derek diana diane dominic donna dorothy douglas dylan edward eleanor elena eliza
    elizabeth ella ellie eloise elsie emily emma erin ethan eva evelyn evie fatima finley florence
    francesca frank freddie frederick freya gary gavin gemma george georgia gillian gordon graham
    grace hannah harper harriet harrison harry harvey hayley heather helen henry hollie holly
    hugo ian ibrahim imogen isaac isabel isabella isabelle isla ivy jack jackson jacob jacqueline
    jade jake james jamie jane janet jasmine jason jayden jennifer jessica jill joan joanne joe
    joel john jonathan jordan joseph joshua josephine judith julia julie justin karen kate
    katherine kathleen kayla keith kelly kenneth kerry kevin kian kieran kirsty kofi kwame lara
    laura lauren layla leah lee leo leon lewis liam lily linda lisa logan lola louie louis louise
    luca lucas lucy luke lydia lynn madison maisie malik margaret maria marie martin martyn mary
    mason matilda matthew maureen maya megan melanie melissa mia michael michelle millie mohammed
    mohammad molly muhammad nadia naomi natalie nathan neil niamh nicholas nicola nigel noah
    nora olivia oliver oscar owen paige pamela patricia patrick paul pauline peter philip phoebe
    poppy rachel rebecca reuben rhys richard rita robert robin ronald rory rosie ruby russell
    ryan sadie samantha samuel sandra sara sarah scarlett scott sean sebastian shannon sharon
    sheila shirley simon sophia sophie stacey stanley stephanie stephen steven stuart susan
    sylvia tanya teresa thea theo theodore thomas tiffany timothy toby tommy tracey tracy tyler
    valerie vanessa victoria vincent violet wayne wendy william willow yasmin yusuf zachary zara
    zoe
"""
GIVEN_NAMES: frozenset[str] = frozenset(_NAMES.split())
