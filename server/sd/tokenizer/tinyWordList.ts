/**
 * The built-in corpus the embedded tiny model's BPE vocabulary is learned from: words common in image
 * prompts and textual-inversion templates, most frequent first (earlier words weigh more).
 */
export const TINY_WORDS: readonly string[] = `
a of the photo in and with style on painting at an by picture image rendering art portrait cat dog small
large big good nice clean dark bright cool weird close up cropped one my this it its is for from to as
red blue green yellow black white orange purple pink brown gray golden silver colorful vivid soft warm
cold light shadow sun sunset sunrise night day morning evening sky cloud clouds rain snow snowy forest
tree trees flower flowers garden grass field mountain mountains river lake sea ocean beach sand water
city street house building room window door table chair couch bed kitchen car train boat bicycle road
man woman person people child girl boy face eyes hair hand hands smile cute happy sad old young baby
fox bird horse cow sheep rabbit bear lion tiger wolf fish owl frog mouse duck toy robot statue vase cup
bowl bottle book lamp clock teddy backpack hat shoe sneaker glasses ball teapot candle plant pot mug
watercolor oil sketch drawing illustration cartoon anime digital photograph render 3d pixel pencil ink
charcoal pastel acrylic canvas abstract realistic detailed highly masterpiece quality best beautiful
cinematic dramatic lighting studio portrait landscape closeup macro wide angle lens bokeh sharp focus
trending artstation concept fantasy magic dream surreal vintage retro modern minimal futuristic ancient
medieval gothic baroque impressionist cubist pop street graffiti mosaic stained glass wooden metal stone
paper fabric wool plastic gold crystal ice fire smoke fog mist storm thunder lightning rainbow moon stars
space planet galaxy nebula castle temple church bridge tower village farm desert jungle island cave
van gogh monet picasso rembrandt vermeer dali klimt hokusai style inspired by in the manner of artist
sitting standing running jumping sleeping flying swimming walking playing reading looking holding wearing
next under over behind front top bottom left right center middle corner background foreground scene
`
  .split(/\s+/)
  .filter((w) => w.length > 0);
