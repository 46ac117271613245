// The browser bundle of the Enketo test (scripts/enketo-up): Enketo's own
// transformer (its web build, XSLT in the browser) and form engine, as
// Enketo Express uses them.
import { Form } from 'enketo-core';
import { transform } from 'enketo-transformer/web';

window.EnketoForm = Form;
window.enketoTransform = transform;
