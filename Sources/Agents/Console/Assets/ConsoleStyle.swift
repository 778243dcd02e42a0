/// The console's style sheet: plain, high contrast, and every status also said in words.
enum ConsoleStyle {
    static let text = #"""
body { font-family: system-ui, sans-serif; margin: 0; color: #111; background: #fafafa; }
header { display: flex; gap: 1rem; align-items: baseline; padding: .5rem 1rem; background: #0b3d91; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; }
header p { margin: 0; }
main { padding: 1rem; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #fff; color: #000; padding: .5rem; z-index: 2000; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
:focus-visible { outline: 3px solid #ffbf47; outline-offset: 2px; }
fieldset { border: 1px solid #888; margin: 0 0 1rem; display: grid; grid-template-columns: max-content 1fr; gap: .4rem .8rem; max-width: 40rem; }
legend { font-weight: bold; }
fieldset button, fieldset .hint { grid-column: 1 / -1; justify-self: start; }
button { padding: .35rem .8rem; }
#map { height: 460px; border: 1px solid #555; background: #eef3f7; }
#legend { display: flex; flex-wrap: wrap; gap: 1rem; margin: .4rem 0 1rem; font-size: .9rem; }
.key::before { content: ""; display: inline-block; width: 1.6rem; height: .8rem; margin-right: .3rem; vertical-align: middle; }
.route-clear::before { border-top: 4px solid #1b5e20; }
.route-risk::before { border-top: 4px dashed #b00020; }
.alert-full::before { background: rgba(176, 0, 32, .3); border: 2px solid #b00020; }
.alert-tearline::before { border: 2px dashed #e65100; }
.convoy-halted::before { background: #b00020; border-radius: 50%; width: .8rem; }
.columns { display: grid; grid-template-columns: 1fr 1fr; gap: 2rem; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { border: 1px solid #bbb; padding: .25rem .4rem; text-align: left; vertical-align: top; }
caption { text-align: left; font-style: italic; padding-bottom: .3rem; }
#log { max-height: 16rem; overflow: auto; font-family: ui-monospace, monospace; font-size: .85rem; }
#signin-error, .refused { color: #b00020; font-weight: bold; }
.accepted { color: #1b5e20; font-weight: bold; }
.leaflet-tooltip.status { font-weight: bold; }
@media (max-width: 900px) { .columns { grid-template-columns: 1fr; } }
"""#
}
