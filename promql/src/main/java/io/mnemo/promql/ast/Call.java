package io.mnemo.promql.ast;

import io.mnemo.promql.value.ValueType;

import java.util.List;
import java.util.Objects;

/** A function call. */
public record Call(Function function, List<Expr> args, PositionRange positionRange) implements Expr {
    public Call {
        Objects.requireNonNull(function);
        args = List.copyOf(args);
    }

    public Call withArgs(List<Expr> newArgs) { return new Call(function, newArgs, positionRange); }

    @Override
    public ValueType type() { return function.returnType(); }

    @Override
    public String toString() { return Printer.format(this); }
}
