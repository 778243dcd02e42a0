import Contracts
import Foundation
import Geography
import Testing

@Suite("Geometry: GeoJSON shapes and the predicates the flows use, on real coordinates")
struct GeometryTests {
    /// The Juba–Bor road, as the shipped scenario defines route R-1.
    static let jubaBorRoad = Geometry.lineString([
        (31.605, 4.870), (31.680, 5.000), (31.770, 5.200), (31.800, 5.450), (31.720, 5.700), (31.640, 5.950), (31.560, 6.200),
    ].map { Position(lon: $0.0, lat: $0.1) })

    /// A square `size` metres across, its south-west corner at `corner`.
    static func square(southWest corner: Position, size: Double) -> Geometry {
        let ring = [corner, corner.offset(east: size, north: 0), corner.offset(east: size, north: size), corner.offset(east: 0, north: size), corner]
        return .polygon([ring])
    }

    @Test("GeoJSON in and out, and geometries that mean nothing refused with the reason")
    func geoJSON() throws {
        let point = try JSONDecoder().decode(Geometry.self, from: Data(#"{"type":"Point","coordinates":[31.559,6.207]}"#.utf8))
        #expect(point == .point(Position(lon: 31.559, lat: 6.207)))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        #expect(String(decoding: try encoder.encode(point), as: UTF8.self) == #"{"coordinates":[31.559,6.207],"type":"Point"}"#)
        let refused = [
            (#"{"type":"Point","coordinates":[6.2,181]}"#, "longitude, latitude"),
            (#"{"type":"Point","coordinates":[200,6.2]}"#, "longitude, latitude"),
            (#"{"type":"LineString","coordinates":[[31,6]]}"#, "two positions"),
            (#"{"type":"Polygon","coordinates":[[[31,6],[32,6],[32,7],[31,7]]]}"#, "end where it starts"),
            (#"{"type":"Polygon","coordinates":[[[31,6],[32,6],[31,6]]]}"#, "four positions"),
            (#"{"type":"Polygon","coordinates":[]}"#, "outer ring"),
            (#"{"type":"Circle","coordinates":[31,6]}"#, "not a geometry"),
        ]
        for (json, reason) in refused {
            #expect {
                try JSONDecoder().decode(Geometry.self, from: Data(json.utf8))
            } throws: { error in
                "\(error)".contains(reason)
            }
        }
    }

    @Test("the mission's towns lie in their states, and each area's point lies in it")
    func missionAreas() throws {
        let inState = ["Juba": "Central Equatoria", "Bor": "Jonglei", "Bentiu": "Unity", "Malakal": "Upper Nile"]
        for (town, state) in inState {
            let point = try #require(MissionAreas.named(town)).point
            #expect(try #require(MissionAreas.named(state)).geometry.contains(point), "\(town) in \(state)")
            for other in MissionAreas.all where other.kind == .state && other.area != state {
                #expect(!other.geometry.contains(point), "\(town) is not in \(other.area)")
            }
        }
        for area in MissionAreas.all { #expect(area.geometry.contains(area.point), "\(area.area)") }
        // Juba to Bor is about 150 km as the crow flies.
        let distance = try #require(MissionAreas.named("Juba")).point.distance(to: try #require(MissionAreas.named("Bor")).point)
        #expect((145_000...155_000).contains(distance))
    }

    @Test("an alert area across the Juba–Bor road puts it at risk; one 5 km away does not")
    func roadAndAlertAreas() {
        let onRoad = Position(lon: 31.785, lat: 5.325)
        let across = Self.square(southWest: onRoad.offset(east: -5_000, north: -5_000), size: 10_000)
        #expect(Self.jubaBorRoad.intersects(across))
        #expect(across.intersects(Self.jubaBorRoad))
        // East of the road's straight stretch between Mongalla and the Jonglei border.
        let beside = Self.square(southWest: Position(lon: 31.788, lat: 5.30).offset(east: 5_000, north: 0), size: 5_000)
        #expect(!Self.jubaBorRoad.intersects(beside))
        #expect(Self.nearest(Self.jubaBorRoad, beside) > 4_500)
        // The road ends in Bor: inside Jonglei, and entering the town.
        #expect(Self.jubaBorRoad.intersects(MissionAreas.named("Jonglei")!.geometry))
        #expect(Self.jubaBorRoad.intersects(MissionAreas.named("Bor")!.geometry))
        #expect(!Self.jubaBorRoad.intersects(MissionAreas.named("Unity")!.geometry))
    }

    @Test("holes are outside, boundaries inside, multipolygons are each of their parts")
    func polygonsWithHoles() {
        let corner = Position(lon: 31.0, lat: 6.0)
        let outer = [corner, corner.offset(east: 20_000, north: 0), corner.offset(east: 20_000, north: 20_000), corner.offset(east: 0, north: 20_000), corner]
        let inner = corner.offset(east: 5_000, north: 5_000)
        let hole = [inner, inner.offset(east: 0, north: 10_000), inner.offset(east: 10_000, north: 10_000), inner.offset(east: 10_000, north: 0), inner]
        let ring = Geometry.polygon([outer, hole])
        #expect(ring.contains(corner.offset(east: 2_000, north: 2_000)))
        #expect(!ring.contains(corner.offset(east: 10_000, north: 10_000)))
        #expect(ring.contains(corner.offset(east: 10_000, north: 0)))
        let far = Self.square(southWest: Position(lon: 29.7, lat: 9.2), size: 5_000)
        guard case .polygon(let first) = ring, case .polygon(let second) = far else { return }
        let both = Geometry.multiPolygon([first, second])
        #expect(both.contains(Position(lon: 29.71, lat: 9.21)))
        #expect(both.contains(corner.offset(east: 2_000, north: 2_000)))
        #expect(!both.contains(Position(lon: 30.5, lat: 8.0)))
        // A line wholly inside the ring's solid part meets it without crossing an edge.
        #expect(ring.intersects(.lineString([corner.offset(east: 1_000, north: 1_000), corner.offset(east: 3_000, north: 1_000)])))
        #expect(!ring.intersects(.lineString([corner.offset(east: 8_000, north: 8_000), corner.offset(east: 9_000, north: 9_000)])))
    }

    @Test("on generated rectangles and lines, the predicates agree with dense sampling")
    func agreesWithSampling() {
        var generator = SystemRandomNumberGenerator()
        func position() -> Position { Position(lon: Double.random(in: 30...32, using: &generator), lat: Double.random(in: 5...7, using: &generator)) }
        for _ in 0..<500 {
            let (a, b) = (position(), position())
            let (west, east, south, north) = (min(a.lon, b.lon), max(a.lon, b.lon), min(a.lat, b.lat), max(a.lat, b.lat))
            let box = Geometry.polygon([[Position(lon: west, lat: south), Position(lon: east, lat: south), Position(lon: east, lat: north),
                                         Position(lon: west, lat: north), Position(lon: west, lat: south)]])
            func inBox(_ p: Position) -> Bool { west <= p.lon && p.lon <= east && south <= p.lat && p.lat <= north }
            let point = position()
            #expect(box.contains(point) == inBox(point))
            let (start, end) = (position(), position())
            let samples = (0...2_000).map { step -> Position in
                let t = Double(step) / 2_000
                return Position(lon: start.lon + (end.lon - start.lon) * t, lat: start.lat + (end.lat - start.lat) * t)
            }
            let sampled = samples.contains(where: inBox)
            let line = Geometry.lineString([start, end])
            // Sampling can miss a corner the line only grazes; it never finds a false crossing.
            if sampled { #expect(line.intersects(box)) }
            if !line.intersects(box) { #expect(!sampled) }
        }
    }

    /// The least distance in metres between the positions along `line` (sampled every few
    /// metres) and the edges of `area` (sampled likewise).
    static func nearest(_ line: Geometry, _ area: Geometry) -> Double {
        func sampled(_ geometry: Geometry) -> [Position] {
            let positions = geometry.positions
            return zip(positions, positions.dropFirst()).flatMap { a, b in
                (0..<400).map { step in
                    let t = Double(step) / 400
                    return Position(lon: a.lon + (b.lon - a.lon) * t, lat: a.lat + (b.lat - a.lat) * t)
                }
            }
        }
        let edges = sampled(area)
        return sampled(line).map { p in edges.map(p.distance(to:)).min()! }.min()!
    }
}
