// Parses an Adaptive Card (stdin, JSON) with Microsoft's own library, as Teams' renderers do, and prints
// every problem it reports (unknown elements or actions, invalid values) as JSON: {"errors": [...], "version"}.
// Run by tests/support/adaptive.py, which installs the npm package `adaptivecards` beside it.
const AC = require("adaptivecards/dist/adaptivecards.js");
const card = JSON.parse(require("fs").readFileSync(0, "utf8"));
const context = new AC.SerializationContext();
const parsed = new AC.AdaptiveCard();
parsed.parse(card, context);
const errors = [];
for (let i = 0; i < context.eventCount; i++) {
  const event = context.getEventAt(i);
  errors.push(`${AC.ValidationEvent[event.event]}: ${event.message}`);
}
for (const failure of parsed.validateProperties().failures || []) {
  for (const error of failure.errors) errors.push(`${AC.ValidationEvent[error.type]}: ${error.message}`);
}
console.log(JSON.stringify({ errors, version: parsed.version ? parsed.version.toString() : null }));
