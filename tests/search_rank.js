// Runs a bundle's own search.js under node with a stand-in for the few
// parts of the page it touches, and prints the titles it lists for a
// query, one a line, in its order.
//
//     node tests/search_rank.js BUNDLE_DIR QUERY
'use strict';
const fs = require('fs');
const path = require('path');
const vm = require('vm');

const [dir, query] = process.argv.slice(2);
function element() {
  return {
    children: [], textContent: '', href: '',
    get firstChild() { return this.children[0] || null; },
    appendChild(c) { this.children.push(c); return c; },
    removeChild(c) { this.children.splice(this.children.indexOf(c), 1); return c; },
    addEventListener() {},
  };
}
const byId = { search: element(), q: element(), 'search-results': element(), 'search-status': element() };
const context = {
  document: {
    getElementById: (id) => byId[id] || null,
    createElement: () => element(),
  },
  window: { location: { search: '?q=' + encodeURIComponent(query) } },
};
vm.createContext(context);
vm.runInContext(fs.readFileSync(path.join(dir, 'search.js'), 'utf8'), context);
for (const li of byId['search-results'].children)
  console.log(li.children[0].textContent);
