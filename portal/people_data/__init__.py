"""A person's data across every area: the copy they can download (export), erasing their
account (erase), and how long the portal keeps things (retention).

Like the staff area, this package sits above the areas and reads each of them; no area
imports it except through the views that offer these actions."""
