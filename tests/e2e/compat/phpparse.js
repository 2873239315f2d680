// Parse PHP files with the grammar of a given PHP version (npm php-parser): node phpparse.js MODULES_DIR VERSION FILE...
const {Engine} = require(process.argv[2] + '/node_modules/php-parser');
const fs = require('fs');
const version = process.argv[3];
let bad = 0;
for (const f of process.argv.slice(4)) {
  const p = new Engine({parser: {version, suppressErrors: false, extractDoc: false}, ast: {withPositions: false}});
  try { p.parseCode(fs.readFileSync(f, 'utf8'), f); } catch (e) { bad++; console.log(f + ': ' + e.message); }
}
process.exit(bad ? 1 : 0);
