"""Bypass catalogue, TypeScript: every way of writing a callable member of a governed interface,
class or object type ends in a finding (SG101 for an undeclared method, SG003 / SG004 naming what
the gate cannot see), never in a silent pass. One test per shape, each asserting the complete list
of findings; where a shape is NOT a finding (data, a class's own constructor, harmless built-ins),
the complete list shows it.

Every TypeScript source written here is valid for the compiler: each test's sources were checked
with `tsc --noEmit --strict --target es2022` (TypeScript 5.9, outside the project) over the files
the test writes.
"""

from __future__ import annotations

from conftest import Gate
from finding_rows import TS_MODEL as MODEL
from finding_rows import TS_PATHS as PATHS
from finding_rows import assert_findings

GET_ROUND = (
    '@access { op = "GetItem", entity = "Round", key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" } }'
)
QUERY_ROUNDS = """
op = "Query"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = { begins_with = "ROUND#" } }
"""


def project(gate: Gate, access: str = "", **sources: str) -> None:
    """The manifest over src/**/*.ts, the model, and the sources (`store="..."` is src/store.ts)."""
    gate.manifest(access, paths=PATHS)
    gate.write("src/model.ts", MODEL)
    for name, text in sources.items():
        gate.write(f"src/{name}.ts", text)


def undeclared(path: str, line: int, qualified: str, key: str | None = None) -> tuple[str, str, int, str]:
    key = key or f"[access.{qualified}]"
    return ("SG101", path, line, f"{qualified} has no access pattern; declare it in store-gate.toml under {key} ")


# 1. A property whose type is a function type, however it is written ---------------------------


def test_a_property_typed_by_a_function_alias_in_another_file_is_a_method(gate: Gate) -> None:
    project(
        gate,
        fns="""
        import type { Round } from "./model";

        export type ListRounds = (dialogue_id: string) => Promise<Round[]>;
        """,
        store="""
        import type { ListRounds } from "./fns";

        export interface DialogueStore {
          listRounds: ListRounds;
        }
        """,
    )
    # The alias gives the parameters and the collection: the suggestion binds and pages.
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.listRounds"))
    (finding,) = gate.findings()
    assert 'pk = "DIALOGUE#{dialogue_id}"' in finding.message and 'page = "cursor"' in finding.message


def test_a_property_typed_by_an_alias_chain_or_a_call_signature_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        type FindRound = RoundFinder;
        type RoundFinder = { (dialogue_id: string, round: number): Promise<Round | undefined> };
        interface RoundCounter {
          (dialogue_id: string): Promise<number>;
        }

        export interface DialogueStore {
          findRound: FindRound;
          countRounds: RoundCounter;
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/store.ts", 10, "DialogueStore.findRound"),
        undeclared("src/store.ts", 11, "DialogueStore.countRounds"),
    )


def test_a_property_typed_by_a_type_defined_nowhere_under_paths_is_sg003(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Purger } from "../lib/admin";

        export interface DialogueStore {
          purge: Purger;
        }
        """,
    )
    gate.write("lib/admin.ts", "export type Purger = (dialogue_id: string) => Promise<void>;\n")
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            4,
            "DialogueStore.purge has type Purger, which is defined nowhere under the store's paths: the gate cannot "
            "tell whether it is a method; write it as a method signature, or add the file that defines Purger to "
            "paths",
        ),
    )


def test_a_function_type_in_a_union_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          put?: ((round: Round) => Promise<void>) | undefined;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.put"))


def test_a_parenthesized_function_type_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        export interface DialogueStore {
          purge: ((dialogue_id: string) => Promise<void>);
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 2, "DialogueStore.purge"))


def test_the_function_type_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        export interface DialogueStore {
          purge: Function;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 2, "DialogueStore.purge"))


def test_a_generic_function_type_through_an_alias_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        type Finder = <T extends Round>(dialogue_id: string) => Promise<T | undefined>;

        export interface DialogueStore {
          find: Finder;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 6, "DialogueStore.find"))


def test_data_properties_stay_data_beside_a_function_alias(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        interface Options {
          ttl: number;
        }
        type Rounds = Round[];
        type ListRounds = (dialogue_id: string) => Promise<Rounds>;

        export interface DialogueStore {
          readonly name: string;
          createdAt: Date;
          ready: Promise<void>;
          tags: string[];
          rounds: Rounds;
          labels: Record<string, string>;
          options: Partial<Options>;
          status: "open" | "closed";
          listRounds: ListRounds;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 18, "DialogueStore.listRounds"))


def test_a_property_of_a_type_the_gate_cannot_see_through_is_sg003(gate: Gate) -> None:
    project(
        gate,
        store="""
        declare const handler: (dialogue_id: string) => Promise<void>;
        interface Ops {
          purge(dialogue_id: string): Promise<void>;
        }

        export interface DialogueStore<H> {
          anything: any;
          same: typeof handler;
          picked: Ops["purge"];
          handler: H;
          handlers: H[];
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            7,
            "DialogueStore.anything has type any, which may be a function the gate cannot see: write anything as a "
            "method signature, or give it a type the gate can read",
        ),
        ("SG003", "src/store.ts", 8, "DialogueStore.same has type typeof handler, which may be a function"),
        ("SG003", "src/store.ts", 9, 'DialogueStore.picked has type Ops["purge"], which may be a function'),
        ("SG003", "src/store.ts", 10, "DialogueStore.handler has type H, a type parameter of DialogueStore, which"),
    )


# 2. Class fields initialised with a function --------------------------------------------------


def test_class_fields_initialised_with_arrow_functions_are_methods(gate: Gate) -> None:
    project(
        gate,
        store=f"""
        import type {{ Round }} from "./model";

        export abstract class DialogueStore {{
          constructor(protected readonly table: string) {{}}

          readonly listSince = async (dialogue_id: string, since: Date): Promise<Round[]> => {{
            void since;
            return [];
          }};

          /** {GET_ROUND} */
          readonly get = async (dialogue_id: string, round: number): Promise<Round | undefined> => undefined;
        }}
        """,
    )
    # `get` binds {{dialogue_id}} and {{round}} to the arrow function's parameters: no SG206.
    assert_findings(gate, undeclared("src/store.ts", 6, "DialogueStore.listSince"))


def test_class_fields_initialised_with_function_expressions_are_methods(gate: Gate) -> None:
    project(
        gate,
        store=f"""
        import type {{ Round }} from "./model";

        export class DialogueStore {{
          /** {GET_ROUND} */
          get = function (dialogue_id: string, round: number): Promise<Round | undefined> {{
            return Promise.resolve({{ dialogue_id, round }});
          }};

          purge = async function (dialogue_id: string): Promise<void> {{
            void dialogue_id;
          }};
        }}
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 9, "DialogueStore.purge"))


def test_a_class_field_initialised_from_an_untyped_expression_is_sg003(gate: Gate) -> None:
    project(
        gate,
        store="""
        declare function makeFinder(table: string): (dialogue_id: string) => Promise<unknown>;
        declare const custom: ((dialogue_id: string) => Promise<unknown>) | undefined;

        export class DialogueStore {
          readonly table = "dialogues";
          readonly created = new Date();
          readonly limit = 10 * 2;
          readonly find = makeFinder("dialogues");
          readonly lookup = custom ?? makeFinder("rounds");
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            8,
            'DialogueStore.find is initialised with makeFinder("dialogues"), whose type the gate cannot see: if it '
            "is a function, define find as a method; otherwise annotate its type (find: T = ...)",
        ),
        ("SG003", "src/store.ts", 9, 'DialogueStore.lookup is initialised with custom ?? makeFinder("rounds"), whose'),
    )


# 3. Quoted and computed member names ----------------------------------------------------------


def test_a_quoted_member_is_governed_by_its_string_with_a_toml_key_that_works(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          "list-rounds"(dialogue_id: string): Promise<Round[]>;
          'rounds.count'(dialogue_id: string): Promise<number>;
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/store.ts", 4, "DialogueStore.list-rounds", "[access.DialogueStore.list-rounds]"),
        undeclared("src/store.ts", 5, "DialogueStore.rounds.count", '[access.DialogueStore."rounds.count"]'),
    )


def test_a_computed_symbol_member_is_governed_by_its_expression(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          [Symbol.asyncIterator](): AsyncIterator<Round>;
          ["get"](dialogue_id: string): Promise<Round | undefined>;
        }
        """,
    )
    key = '[access.DialogueStore."[Symbol.asyncIterator]"]'
    assert_findings(
        gate,
        undeclared("src/store.ts", 4, "DialogueStore.[Symbol.asyncIterator]", key),
        undeclared("src/store.ts", 5, "DialogueStore.get"),
    )


def test_quoted_toml_keys_declare_those_members_and_findings_land_on_their_lines(gate: Gate) -> None:
    project(
        gate,
        '[access.DialogueStore."list-rounds"]'
        + QUERY_ROUNDS
        + '\n[access.DialogueStore."[Symbol.asyncIterator]"]'
        + QUERY_ROUNDS
        + 'page = "cursor"\n',
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          "list-rounds"(dialogue_id: string): Promise<Round[]>;
          [Symbol.asyncIterator](): AsyncIterator<Round>;
        }
        """,
    )
    list_rounds = gate.line_of('[access.DialogueStore."list-rounds"]')
    iterator = gate.line_of('[access.DialogueStore."[Symbol.asyncIterator]"]')
    assert_findings(
        gate,
        ("SG209", "store-gate.toml", list_rounds, "DialogueStore.list-rounds returns a collection (Promise<Round[]>)"),
        ("SG206", "store-gate.toml", iterator, "DialogueStore.[Symbol.asyncIterator]: placeholder {dialogue_id}"),
    )


# 4. Constructors ------------------------------------------------------------------------------


def test_a_constructor_signature_in_an_interface_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        export interface DialogueStore {
          constructor(dialogue_id: string): Promise<void>;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 2, "DialogueStore.constructor"))


# 5. Overloads ---------------------------------------------------------------------------------


def test_interface_overloads_are_one_method_binding_what_every_overload_has(gate: Gate) -> None:
    project(
        gate,
        store=f"""
        import type {{ Round }} from "./model";

        export interface DialogueStore {{
          /** {GET_ROUND} */
          find(dialogue_id: string, round: number): Promise<Round | undefined>;
          find(dialogue_id: string): Promise<Round | undefined>;

          list(dialogue_id: string): Promise<Round[]>;
          list(dialogue_id: string, since: Date): Promise<Round[]>;
        }}
        """,
    )
    # Without an implementation, a placeholder binds only to a parameter every overload has.
    assert_findings(
        gate,
        (
            "SG206",
            "src/store.ts",
            4,
            'DialogueStore.find: placeholder {round} in key "sk" binds to no parameter (parameters: dialogue_id)',
        ),
        undeclared("src/store.ts", 8, "DialogueStore.list"),
    )


def test_class_overloads_bind_to_the_implementation(gate: Gate) -> None:
    project(
        gate,
        store=f"""
        import type {{ Round }} from "./model";

        export class DialogueStore {{
          /** {GET_ROUND} */
          find(dialogue_id: string): Promise<Round | undefined>;
          find(dialogue_id: string, round: number): Promise<Round | undefined>;
          find(dialogue_id: string, round?: number): Promise<Round | undefined> {{
            return Promise.resolve(round === undefined ? undefined : {{ dialogue_id, round }});
          }}

          purge(dialogue_id: string): Promise<void>;
          purge(dialogue_id: string, round: number): Promise<void>;
          purge(dialogue_id: string, round?: number): Promise<void> {{
            void dialogue_id;
            void round;
            return Promise.resolve();
          }}
        }}
        """,
    )
    # find's first overload has no round: that call has no sort key (SG206, the optional-parameter case).
    assert_findings(
        gate,
        undeclared("src/store.ts", 11, "DialogueStore.purge"),
        ("SG206", "src/store.ts", 4, "binds to round, which a caller may leave out"),
    )


# 6. Accessors ---------------------------------------------------------------------------------


def test_a_getter_setter_pair_is_one_member(gate: Gate) -> None:
    project(
        gate,
        store="""
        export class DialogueStore {
          private count = 0;

          get size(): number {
            return this.count;
          }

          set size(value: number) {
            this.count = value;
          }
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.size"))


# 7. Heritage ----------------------------------------------------------------------------------

READS_WRITES = """
import type { Round } from "./model";

export interface Reads {
  get(dialogue_id: string, round: number): Promise<Round | undefined>;
}
export interface Writes {
  put(round: Round): Promise<void>;
}
"""


def test_extending_an_object_type_alias_governs_its_members(gate: Gate) -> None:
    project(
        gate,
        store="""
        type AdminOps = {
          purge(dialogue_id: string): Promise<void>;
        };

        export interface DialogueStore extends AdminOps {}
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 2, "AdminOps.purge"))


def test_an_intersection_alias_brings_its_parts_and_its_own_members(gate: Gate) -> None:
    project(
        gate,
        parts=READS_WRITES,
        store="""
        import type { Reads, Writes } from "./parts";

        type Store = Reads & Writes & { purge(dialogue_id: string): Promise<void> };

        export interface DialogueStore extends Store {}
        """,
    )
    assert_findings(
        gate,
        undeclared("src/parts.ts", 4, "Reads.get"),
        undeclared("src/parts.ts", 7, "Writes.put"),
        undeclared("src/store.ts", 3, "Store.purge"),
    )


def test_the_store_itself_may_be_an_intersection_alias(gate: Gate) -> None:
    project(
        gate,
        parts=READS_WRITES,
        store="""
        import type { Reads } from "./parts";

        export type DialogueStore = Reads & {
          purge(dialogue_id: string): Promise<void>;
        };
        """,
    )
    assert_findings(
        gate,
        undeclared("src/parts.ts", 4, "Reads.get"),
        undeclared("src/store.ts", 4, "DialogueStore.purge"),
    )


def test_omit_and_pick_govern_what_they_keep_of_a_base(gate: Gate) -> None:
    project(
        gate,
        store="""
        interface Base {
          get(dialogue_id: string): Promise<void>;
          purge(dialogue_id: string): Promise<void>;
        }
        interface Admin {
          ban(dialogue_id: string): Promise<void>;
          mute(dialogue_id: string): Promise<void>;
          wipe(): Promise<void>;
        }

        export interface DialogueStore extends Omit<Base, "purge">, Pick<Admin, "ban" | "mute"> {}
        """,
    )
    assert_findings(
        gate,
        undeclared("src/store.ts", 2, "Base.get"),
        undeclared("src/store.ts", 6, "Admin.ban"),
        undeclared("src/store.ts", 7, "Admin.mute"),
    )


def test_partial_required_and_readonly_keep_every_member_of_a_base(gate: Gate) -> None:
    project(
        gate,
        parts=READS_WRITES,
        store="""
        import type { Reads, Writes } from "./parts";

        interface Admin {
          purge(dialogue_id: string): Promise<void>;
        }

        export interface DialogueStore extends Partial<Reads>, Required<Writes>, Readonly<Admin> {}
        """,
    )
    assert_findings(
        gate,
        undeclared("src/parts.ts", 4, "Reads.get"),
        undeclared("src/parts.ts", 7, "Writes.put"),
        undeclared("src/store.ts", 4, "Admin.purge"),
    )


def test_an_omit_over_a_base_outside_paths_suggests_the_base_as_external(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Admin } from "../lib/admin";

        export interface DialogueStore extends Omit<Admin, "wipe"> {}
        """,
    )
    gate.write("lib/admin.ts", "export interface Admin {\n  purge(): Promise<void>;\n  wipe(): Promise<void>;\n}\n")
    assert_findings(
        gate,
        (
            "SG004",
            "src/store.ts",
            3,
            'DialogueStore extends Omit<Admin, "wipe">, which is defined nowhere under the store\'s paths '
            '("src/**/*.ts"): its methods would not be governed; add its file to paths, or list it in [[store]] '
            'external = ["Admin"] if another manifest governs it',
        ),
    )


def test_a_mixin_call_in_heritage_is_sg004(gate: Gate) -> None:
    project(
        gate,
        store="""
        type Ctor<T = object> = new (...args: any[]) => T;

        function WithAdmin<B extends Ctor>(base: B) {
          return class extends base {
            purge(): Promise<void> {
              return Promise.resolve();
            }
          };
        }

        class Base {}

        export class DialogueStore extends WithAdmin(Base) {}
        """,
    )
    assert_findings(
        gate,
        (
            "SG004",
            "src/store.ts",
            13,
            "DialogueStore extends WithAdmin(Base), a mixin call whose members the gate cannot resolve: they would "
            "not be governed; declare them in DialogueStore, or extend a class or interface defined under the "
            "store's paths",
        ),
    )


def test_a_utility_or_conditional_type_in_heritage_is_sg004(gate: Gate) -> None:
    project(
        gate,
        store="""
        declare function makeOps(): { purge(): Promise<void> };
        type Live = true;
        type Ops = Live extends true ? { wipe(): Promise<void> } : never;

        export interface DialogueStore extends ReturnType<typeof makeOps>, Ops {}
        """,
    )
    assert_findings(
        gate,
        (
            "SG004",
            "src/store.ts",
            3,
            "Ops is built from Live extends true ? { wipe(): Promise<void> } : never, a conditional type, which the "
            "gate cannot resolve: its members would not be governed; declare them in Ops, or extend an interface or "
            "object type defined under the store's paths",
        ),
        (
            "SG004",
            "src/store.ts",
            5,
            "DialogueStore is built from ReturnType<typeof makeOps>, the utility type ReturnType, which the gate "
            "cannot resolve",
        ),
    )


def test_builtins_with_data_access_members_are_sg003_and_object_is_ignored(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore extends AsyncIterable<Round>, Map<string, Round>, Object {}
        """,
    )
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            3,
            "DialogueStore extends AsyncIterable<Round>: the built-in AsyncIterable brings members (iteration) the "
            "gate cannot enumerate, which may read or write data; declare the methods DialogueStore needs instead "
            "of inheriting them",
        ),
        (
            "SG003",
            "src/store.ts",
            3,
            "DialogueStore extends Map<string, Round>: the built-in Map brings members (get, has, set, iteration)",
        ),
    )


def test_a_class_implementing_a_builtin_declares_its_members_itself(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export class DialogueStore implements AsyncIterable<Round> {
          async *[Symbol.asyncIterator](): AsyncGenerator<Round> {
            yield* [];
          }
        }
        """,
    )
    # The compiler makes the class declare what it implements: its own member is governed, and
    # `implements` hides nothing.
    key = '[access.DialogueStore."[Symbol.asyncIterator]"]'
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.[Symbol.asyncIterator]", key))


# 8. Unicode escapes ---------------------------------------------------------------------------


def test_names_written_with_unicode_escapes_are_governed(gate: Gate) -> None:
    project(
        gate,
        store=f"""
        import type {{ Round }} from "./model";

        export interface DialogueStore {{
          /** {GET_ROUND} */
          get(dialogue_id: string, round: number): Promise<Round | undefined>;
        }}
        """,
        more="""
        declare module "./store" {
          interface \\u0044ialogueStore {
            purg\\u{65}(dialogue_id: string): Promise<void>;
          }
        }
        export {};
        """,
    )
    assert_findings(gate, undeclared("src/more.ts", 3, "DialogueStore.purge"))


# 9. Signatures for --base ---------------------------------------------------------------------


def test_signatures_ignore_whitespace_and_doc_comments_but_not_decorators(gate: Gate) -> None:
    def signature(store: str) -> str:
        project(gate, store=store)
        (method,) = gate.run().project.methods
        return method.signature

    decorator = (
        "function logged<T>(value: T, context: ClassMethodDecoratorContext): T {\n  void context;\n  return value;\n}\n"
    )
    plain = signature(
        "export class DialogueStore {\n  get(id: string): Promise<void> {\n    return Promise.resolve();\n  }\n}\n"
    )
    spaced = signature(
        "export class DialogueStore {\n  /** Reads one. */\n  get( id : string )\n    : Promise< void > { return Promise.resolve(); }\n}\n"
    )
    decorated = signature(
        decorator
        + "export class DialogueStore {\n  @logged\n  get(id: string): Promise<void> {\n    return Promise.resolve();\n  }\n}\n"
    )
    assert plain == spaced == "get(id: string): Promise<void>"
    assert decorated == "@logged get(id: string): Promise<void>"


# 10. Collection aliases -----------------------------------------------------------------------


def test_a_return_type_naming_a_collection_alias_is_a_collection(gate: Gate) -> None:
    project(
        gate,
        "[access.DialogueStore.listRounds]" + QUERY_ROUNDS,
        rounds="""
        import type { Round } from "./model";

        export type Rounds = Round[];
        """,
        store="""
        import type { Rounds } from "./rounds";

        export interface DialogueStore {
          listRounds(dialogue_id: string): Promise<Rounds>;
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG209",
            "store-gate.toml",
            gate.line_of("[access.DialogueStore.listRounds]"),
            "DialogueStore.listRounds returns a collection (Promise<Rounds>) from a Query with neither",
        ),
    )
