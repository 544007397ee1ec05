"""Hostile TypeScript stores: members a reviewer got past the gate, and names that crashed it. Each
shape ends in a finding - SG101 when the gate can see the member is a method, SG003 / SG004 when it
cannot know - and never in a crash. One test per shape, each asserting the complete list of findings.

Every TypeScript source written here is valid for the compiler (`tsc --noEmit --strict --target
es2022`, TypeScript 5.9, over the files each test writes).
"""

from __future__ import annotations

from conftest import Gate, run_cli
from finding_rows import TS_MODEL as MODEL
from finding_rows import TS_PATHS as PATHS
from finding_rows import assert_findings

from store_gate.extract.typescript import _number, extract

GET_ROUND = """
[access.DialogueStore.getRound]
op = "GetItem"
entity = "Round"
key = { pk = "DIALOGUE#{dialogue_id}", sk = "ROUND#{round}" }
"""


def project(gate: Gate, **sources: str) -> None:
    """The manifest over src/**/*.ts declaring getRound, the model, and the sources (`store=` is src/store.ts)."""
    gate.manifest(GET_ROUND, paths=PATHS)
    gate.write("src/model.ts", MODEL)
    for name, text in sources.items():
        gate.write(f"src/{name}.ts", text)


def undeclared(path: str, line: int, qualified: str) -> tuple[str, str, int, str]:
    return ("SG101", path, line, f"{qualified} has no access pattern")


# B10: constructor parameter properties are members ----------------------------------------------


def test_a_function_typed_constructor_parameter_property_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          constructor(public readonly everything: () => Promise<Round[]>) {}
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.everything"))


def test_data_and_private_parameter_properties_and_plain_parameters_are_not_methods(gate: Gate) -> None:
    # A private parameter property is like a private field: not part of what callers reach.
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          constructor(
            readonly tableName: string,
            protected limit = 25,
            private readonly scan: () => Promise<Round[]>,
            plain: () => Promise<Round[]>,
          ) {
            void scan;
            void plain;
          }
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate)


def test_a_parameter_property_of_a_type_the_gate_cannot_see_follows_the_field_rules(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";
        import { makeScanner, type Scanner } from "../lib/scanner";

        export abstract class DialogueStore {
          constructor(
            public scanner: Scanner,
            public scan = makeScanner(),
          ) {}
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    gate.write(
        "lib/scanner.ts",
        """
        export type Scanner = () => Promise<string[]>;
        export function makeScanner(): Scanner {
          return async () => [];
        }
        """,
    )
    assert_findings(
        gate,
        ("SG003", "src/store.ts", 6, "DialogueStore.scanner has type Scanner, which is defined nowhere"),
        ("SG003", "src/store.ts", 7, "DialogueStore.scan is initialised with makeScanner(), whose type the gate"),
    )


# B11: function values and facets of methods -------------------------------------------------------


def test_a_field_initialised_with_new_function_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          everything = new Function("return ['all']");
          more = new globalThis.Function("return []");
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/store.ts", 4, "DialogueStore.everything"),
        undeclared("src/store.ts", 5, "DialogueStore.more"),
    )


def test_a_field_asserted_to_a_function_type_is_a_method(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          everything = 0 as unknown as () => Promise<Round[]>;
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate, undeclared("src/store.ts", 4, "DialogueStore.everything"))


def test_a_field_initialised_with_an_object_literal_holding_functions_is_a_facet(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          admin = { listAll: async (): Promise<string[]> => ["all"] };
          nested = { deep: { purge() { return 0; } } };
          handlers = [async () => 1];
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    facet = "a facet of methods the gate does not govern: declare its methods on DialogueStore"
    assert_findings(
        gate,
        ("SG003", "src/store.ts", 4, f"an object literal with function members, {facet}"),
        ("SG003", "src/store.ts", 5, f"an object literal with function members, {facet}"),
        ("SG003", "src/store.ts", 6, f"an array holding functions, {facet}"),
    )


def test_a_field_typed_by_an_interface_of_methods_is_a_facet(gate: Gate) -> None:
    project(
        gate,
        admin="""
        export interface AdminOps {
          listEverything(): Promise<string[]>;
        }
        """,
        store="""
        import type { Round } from "./model";
        import type { AdminOps } from "./admin";

        export abstract class DialogueStore {
          ops!: AdminOps;
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            5,
            "DialogueStore.ops is a member typed by AdminOps, an interface of methods: the gate does not govern the "
            "methods it reaches; declare its methods on the store or govern AdminOps as a store",
        ),
    )


def test_a_field_typed_by_an_object_type_with_methods_is_a_facet(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          raw: { everything(): Promise<string[]> };
          wrapped: Readonly<{ purge: (id: string) => Promise<void> }> | null;
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        ("SG003", "src/store.ts", 4, "DialogueStore.raw has an object type with methods (everything), a facet"),
        ("SG003", "src/store.ts", 5, "DialogueStore.wrapped has an object type with methods (purge), a facet"),
    )


def test_a_facet_reached_through_member_types_classes_and_aliases(gate: Gate) -> None:
    project(
        gate,
        ops="""
        export type ListFn = () => Promise<string[]>;
        export interface Ops {
          list: ListFn;
        }
        export class AdminService {
          async purge(): Promise<void> {}
        }
        export type Service = AdminService;
        """,
        store="""
        import type { Round } from "./model";
        import type { AdminService, Ops, ListFn, Service } from "./ops";

        export interface DialogueStore {
          ops: Ops;
          admin: AdminService;
          service: Service;
          holder: { list: ListFn };
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        ("SG003", "src/store.ts", 5, "ops is a member typed by Ops, a type with a member of function type ListFn"),
        ("SG003", "src/store.ts", 6, "admin is a member typed by AdminService, a class with methods"),
        ("SG003", "src/store.ts", 7, "service is a member typed by Service, a class with methods"),
        (
            "SG003",
            "src/store.ts",
            8,
            "DialogueStore.holder has a type holding ListFn, a function type: the gate does not govern the methods it "
            "reaches; declare them as methods on the store",
        ),
    )


def test_a_field_holding_functions_in_a_container_is_a_facet(gate: Gate) -> None:
    project(
        gate,
        ops="""
        export type ListFn = () => Promise<string[]>;
        export interface AdminOps {
          purge(): Promise<void>;
        }
        export interface Registry {
          [name: string]: () => Promise<void>;
        }
        """,
        store="""
        import type { Round } from "./model";
        import type { AdminOps, ListFn, Registry } from "./ops";

        export interface DialogueStore {
          fns: Record<string, () => Promise<string[]>>;
          queue: (() => void)[];
          byName: Map<string, AdminOps>;
          lists: { [name: string]: ListFn };
          registry: Registry;
          rounds: Round[];
          byId: Map<string, Round>;
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    reaches = "the gate does not govern the methods it reaches; declare them as methods on the store"
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            5,
            "fns has a type holding functions (Record<string, () => Promise<string[]>>), a facet",
        ),
        ("SG003", "src/store.ts", 6, "queue has a type holding functions ((() => void)[]), a facet"),
        ("SG003", "src/store.ts", 7, f"byName has a type holding AdminOps, an interface of methods: {reaches}"),
        ("SG003", "src/store.ts", 8, f"lists has a type holding ListFn, a function type: {reaches}"),
        ("SG003", "src/store.ts", 9, "registry is a member typed by Registry, an interface of methods"),
    )


def test_a_field_initialised_with_new_of_a_class_is_typed_by_that_class(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";
        import { Remote } from "../lib/remote";

        export class AdminService {
          async purge(): Promise<void> {}
        }
        export abstract class DialogueStore {
          admin = new AdminService();
          remote = new Remote();
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    gate.write(
        "lib/remote.ts", "export class Remote {\n  async everything(): Promise<string[]> {\n    return [];\n  }\n}\n"
    )
    assert_findings(
        gate,
        ("SG003", "src/store.ts", 8, "DialogueStore.admin is a member typed by AdminService, a class with methods"),
        ("SG003", "src/store.ts", 9, "DialogueStore.remote has type Remote, which is defined nowhere under the"),
    )


def test_a_facet_nested_deeper_than_the_gate_follows_is_sg003(gate: Gate) -> None:
    chain = "".join(f"export interface Link{i} {{\n  next: Link{i + 1};\n}}\n" for i in range(12))
    project(
        gate,
        chain=chain + "export interface Link12 {\n  purge(): Promise<void>;\n}\n",
        store="""
        import type { Round } from "./model";
        import type { Link0 } from "./chain";

        export interface DialogueStore {
          head: Link0;
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG003",
            "src/store.ts",
            5,
            "DialogueStore.head is a member typed by Link0, a type holding Link1, which leads to types nested deeper "
            "than the gate follows",
        ),
    )


def test_data_fields_stay_data(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          created = new Date();
          tags = ["a", "b"];
          meta = { version: 1, labels: { en: "dialogue" } } as const;
          current!: Round;
          info!: { name: string; rounds: Round[] };
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate)


# B12: a class extends a value --------------------------------------------------------------------


def test_a_class_extending_a_const_named_like_a_type_alias_is_sg004(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        type Base = {};
        const Base = class {
          async everything(): Promise<string[]> {
            return [];
          }
        };
        export abstract class DialogueStore extends Base {
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        (
            "SG004",
            "src/store.ts",
            9,
            "extends Base, which this file declares as a const (line 4), not a class declaration",
        ),
    )


def test_a_class_extending_an_import_defined_there_only_as_a_type_is_sg004(gate: Gate) -> None:
    project(
        gate,
        base="""
        export interface Base {
          listAll(): Promise<string[]>;
        }
        export const Base = class {
          async listAll(): Promise<string[]> {
            return [];
          }
          async everything(): Promise<string[]> {
            return [];
          }
        };
        """,
        store="""
        import type { Round } from "./model";
        import { Base } from "./base";

        export abstract class DialogueStore extends Base {
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/base.ts", 2, "Base.listAll"),
        ("SG004", "src/store.ts", 4, "and src/base.ts:1:18 defines Base only as a type: a class extends a value"),
    )


def test_a_class_extending_a_class_declaration_merged_with_interfaces_governs_both(gate: Gate) -> None:
    # An interface of the class's name, in its file or in a module augmentation, adds members to it.
    project(
        gate,
        base="""
        export class Base {
          async listAll(): Promise<string[]> {
            return [];
          }
        }
        """,
        augment="""
        declare module "./base" {
          interface Base {
            purge(): Promise<void>;
          }
        }
        export {};
        """,
        store="""
        import type { Round } from "./model";
        import { Base } from "./base";

        export abstract class DialogueStore extends Base {
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/augment.ts", 3, "Base.purge"),
        undeclared("src/base.ts", 2, "Base.listAll"),
    )


# B13: module augmentation under the paths --------------------------------------------------------


def test_declare_module_and_declare_global_blocks_under_paths_add_governed_members(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
        augment="""
        export {};
        declare module "./store" {
          interface DialogueStore {
            everything(): Promise<string[]>;
          }
        }
        declare global {
          interface DialogueStore {
            globalEverything(): Promise<string[]>;
          }
        }
        """,
    )
    assert_findings(
        gate,
        undeclared("src/augment.ts", 4, "DialogueStore.everything"),
        undeclared("src/augment.ts", 9, "DialogueStore.globalEverything"),
    )


# B14: static blocks ---------------------------------------------------------------------------------


def test_a_static_block_in_a_governed_class_is_sg003(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export abstract class DialogueStore {
          static {
            (this.prototype as any).everything = async () => [];
          }
          abstract getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate, ("SG003", "src/store.ts", 4, "DialogueStore has a static block"))


# B4: a harmless built-in's name is the built-in only when nothing binds it -------------------------


def test_an_imported_base_named_like_a_harmless_built_in_is_resolved(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";
        import type { Disposable } from "../lib/disposable";

        export interface DialogueStore extends Disposable {
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    gate.write("lib/disposable.ts", "export interface Disposable {\n  listAll(): Promise<string[]>;\n}\n")
    assert_findings(gate, ("SG004", "src/store.ts", 4, "DialogueStore extends Disposable, which is defined nowhere"))


def test_the_global_disposable_stays_harmless(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore extends Disposable, AsyncDisposable {
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    assert_findings(gate)


# B26: optional parameters ---------------------------------------------------------------------------


def test_parameters_are_optional_with_a_question_mark_a_default_undefined_or_rest() -> None:
    source = """
    export class DialogueStore {
      get(a: string, b: string | undefined, c: (number | void), d = "x", e?: string, ...rest: string[]): void {}
    }
    """
    (trait,) = extract("src/store.ts", source, frozenset({"DialogueStore"})).traits
    (method,) = trait.methods
    assert [(p.name, p.optional) for p in method.parameters] == [
        ("a", False),
        ("b", True),
        ("c", True),
        ("d", True),
        ("e", True),
        (None, True),
    ]


# C1, C2: names that crashed the gate -------------------------------------------------------------


def test_numeric_member_names_are_named_as_javascript_names_them() -> None:
    # What `String(n)` gives in JavaScript for each literal.
    cases = {
        "0x10": "16",
        "16.0": "16",
        "1_000": "1000",
        "1e21": "1e+21",
        "1e-7": "1e-7",
        "0.000001": "0.000001",
        ".5": "0.5",
        "123456789012345678901234": "1.2345678901234569e+23",
        "0x1fffffffffffff1": "144115188075855860",
        "0x" + "f" * 400: "Infinity",
        "0b" + "1" * 2000: "Infinity",
        "0o" + "7" * 500: "Infinity",
        "1" + "0" * 400: "Infinity",
    }
    assert {text: _number(text) for text in cases} == cases


def test_a_numeric_member_name_too_large_for_a_double_is_governed_as_infinity(gate: Gate) -> None:
    huge = "0x" + "f" * 400
    project(
        gate,
        base=f"""
        export interface Base {{
          0b{"1" * 1100}(): Promise<string[]>;
          other(): Promise<string[]>;
        }}
        """,
        store=f"""
        import type {{ Round }} from "./model";
        import type {{ Base }} from "./base";

        export interface DialogueStore extends Pick<Base, 0o{"7" * 400}> {{
          {huge}(): Promise<string[]>;
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }}
        """,
    )
    assert_findings(
        gate,
        undeclared("src/base.ts", 2, "Base.Infinity"),
        undeclared("src/store.ts", 5, "DialogueStore.Infinity"),
    )


def test_a_lone_surrogate_in_a_member_name_is_governed_by_its_escape_through_the_cli(gate: Gate) -> None:
    project(
        gate,
        store="""
        import type { Round } from "./model";

        export interface DialogueStore {
          "\\uD800"(): Promise<string[]>;
          "\\uD83D\\uDE00"(): Promise<string[]>;
          getRound(dialogue_id: string, round: number): Promise<Round | undefined>;
        }
        """,
    )
    result = run_cli("check", ".", cwd=gate.root, env={"PYTHONIOENCODING": "utf-8"})
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    lines = [line for line in result.stdout.splitlines() if " SG" in line]
    assert [line.split(" has no access pattern")[0] for line in lines] == [
        "src/store.ts:4:3: SG101 DialogueStore.\\uD800",
        "src/store.ts:5:3: SG101 DialogueStore.\U0001f600",
    ]
